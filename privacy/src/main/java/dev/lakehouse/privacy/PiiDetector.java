package dev.lakehouse.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;

/**
 * The platform's one detector of personal identifiers in free text (docs/privacy.md has every rule with examples):
 *
 * <ul>
 *   <li><b>SSN</b>: 3-2-4 digits separated twice by the same dash, dot, space or en/em dash (at most one space either side),
 *       or nine bare digits when an SSN cue ("ssn", "social security", "SS#", "tax id", …) stands within
 *       {@value #CUE_BEFORE} characters before or {@value #CUE_AFTER} after; never a number the SSA never issues
 *       (area 000, 666 or 900–999, group 00, serial 0000) — but an IRS ITIN (area 9xx, group 50–65, 70–88, 90–92, 94–99)
 *       is a taxpayer number of a person, found as an SSN; a separated number labelled as an order, invoice, phone,
 *       ZIP… number and not named as an SSN is not one.</li>
 *   <li><b>Phone</b>: what Google's libphonenumber finds in the text (US as the default region), kept when it is a
 *       NANP number (area code and exchange starting 2–9) or a valid international number written with {@code +} or
 *       {@code 00}; ten or eleven bare digits count only with a phone cue ("call", "cell", "phone", "text", …) nearer than
 *       any order cue, or when they are a roster worker's phone.</li>
 *   <li><b>E-mail</b>: {@code local@domain.tld} (RFC 5321 lengths), also {@code local (at) domain (dot) tld} and
 *       {@code local [at] domain.tld}.</li>
 *   <li><b>Roster contacts</b>: every phone and e-mail found is looked up in the {@link ContactDirectory} by its
 *       normalized form, and every bare run of ten digits too, so a worker's number is found however it is written.</li>
 * </ul>
 *
 * <p>Findings do not overlap (an SSN wins over a phone read in the same digits, an e-mail over a phone in its local
 * part) and come in text order. Cost: every pattern has bounded repetition and a lookbehind that lets a match start
 * only at the start of a run of its characters; cues are read in a fixed window around a candidate; libphonenumber is
 * called only on a text with ten digits in one group (seven after a {@code +}) — so a scan is linear in the text. Thread-safe.
 */
public final class PiiDetector {
    static final int CUE_BEFORE = 40;
    static final int CUE_AFTER = 20;
    private static final String SEP = "[ \\t]?[-.\\u2013\\u2014 ][ \\t]?";
    private static final Pattern SSN_SEPARATED = Pattern.compile("(?<![0-9][-. ]?)([0-9]{3})(" + SEP + ")([0-9]{2})\\2"
            + "([0-9]{4})(?![0-9]|[-.][0-9])");
    private static final Pattern SSN_BARE = Pattern.compile("(?<![0-9])([0-9]{3})()([0-9]{2})([0-9]{4})(?![0-9])");
    private static final Pattern SSN_CUE = cue("|\\bss(?=\\s?[:#])", "ssns?", "s\\.s\\.n\\.?", "ss ?#", "ss ?no\\.?",
            "social(?: security)?", "soc\\.? ?sec\\.?", "taxpayer id", "tax id", "tin", "itins?");
    private static final Pattern NOT_SSN_CUE = cue("[^\\n]{0,12}$", "order", "po", "invoice", "ref", "reference", "tracking",
            "confirmation", "phone", "tel", "fax", "zip", "account", "acct", "case", "ticket", "routing", "claim", "part", "serial",
            "sku", "item", "lot");
    private static final Pattern PHONE_CUE = cue("", "phone", "phones", "cell", "cellphone", "mobile", "mob", "tel", "telephone",
            "call", "called", "calling", "text", "texted", "txt", "sms", "reach", "reached", "contact", "fax", "whatsapp", "dial",
            "ring", "number", "ph", "line", "voicemail", "vm");
    private static final Pattern NOT_PHONE_CUE = cue("(?:\\s?(?:number|no\\.?|#|num))?", "order", "po", "invoice", "ref",
            "reference", "tracking", "confirmation", "account", "acct", "case", "ticket", "routing", "card", "claim", "serial", "sku",
            "item", "lot", "isbn", "id", "transaction", "txn");
    // RFC 5321 lengths: local part at most 64, domain at most 253, top-level label at most 63
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63})(?![A-Za-z0-9-])");
    private static final Pattern EMAIL_SPELLED = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64})[ \\t]{0,2}(?:\\(at\\)|\\[at\\]|\\{at\\}|<at>)[ \\t]{0,2}"
                    + "([A-Za-z0-9-]{1,63}(?:(?:[ \\t]{0,2}(?:\\(dot\\)|\\[dot\\]|\\{dot\\}|<dot>)[ \\t]{0,2}|\\.)[A-Za-z0-9-]{1,63}){1,8})"
                    + "(?![A-Za-z0-9-])", Pattern.CASE_INSENSITIVE);
    private static final Pattern EMAIL_WORDS = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64}) at ([A-Za-z0-9-]{1,63}(?: dot [A-Za-z0-9-]{1,63}){0,7} dot "
                    + "(?:com|org|net|edu|gov|io|co|us|uk|ca|de|fr|info|biz|me))(?![A-Za-z0-9-])",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DOT_WORD = Pattern.compile("[ \\t]{0,2}(?:\\(dot\\)|\\[dot\\]|\\{dot\\}|<dot>| dot )[ \\t]{0,2}",
            Pattern.CASE_INSENSITIVE);
    // the common NANP forms, also where libphonenumber gives up on a candidate (a "24/7" after it, say)
    private static final Pattern NANP_WRITTEN = Pattern.compile(
            "(?<![0-9+-])(?:\\+?1[ .-]?)?(?:\\([2-9][0-9]{2}\\)[ ]?|[2-9][0-9]{2}[ .\\-/])[2-9][0-9]{2}[ .-][0-9]{4}(?![0-9]|[-.][0-9])");
    // "00" then a country code: the international prefix of most of the world, which a US reading does not know
    private static final Pattern INTERNATIONAL_00 = Pattern.compile("(?<![0-9+])00(?=[1-9])");
    private static final Pattern TEN_DIGITS = Pattern.compile("(?<![0-9])1?[0-9]{10}(?![0-9])");

    /** Any of {@code words} as whole words, case-insensitive, then {@code after}. */
    private static Pattern cue(String after, String... words) {
        return Pattern.compile("\\b(?:" + String.join("|", words) + ")\\b" + after, Pattern.CASE_INSENSITIVE);
    }

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private final ContactDirectory directory;

    public PiiDetector(ContactDirectory directory) {
        this.directory = directory == null ? ContactDirectory.EMPTY : directory;
    }

    /** Every identifier in the text, in text order, none overlapping another. */
    public List<Finding> find(CharSequence text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<Finding> all = new ArrayList<>();
        int group = longestDigitGroup(text);
        if (group >= 9) {
            ssns(text, all);
        }
        if (indexOf(text, '@') >= 0 || containsAt(text)) {
            emails(text, all);
        }
        if (group >= 10 || group >= 7 && indexOf(text, '+') >= 0) {
            phones(text, all);
        }
        return disjoint(all);
    }

    /**
     * Whether {@link #find} would report an identifier of {@code type} in the text — the same answer, cheaper for an SSN:
     * {@link #find} reads the SSN pass first and {@link #disjoint} keeps the first of overlapping findings, so the SSN
     * pass alone decides (no phone or e-mail can take an SSN's span); the other passes are not read.
     */
    public boolean contains(CharSequence text, PiiType type) {
        if (type == PiiType.SSN) {
            if (text == null || longestDigitGroup(text) < 9) {
                return false;
            }
            List<Finding> candidates = new ArrayList<>();
            ssns(text, candidates);
            return !candidates.isEmpty();
        }
        for (Finding f : find(text)) {
            if (f.type() == type) {
                return true;
            }
        }
        return false;
    }

    private static void ssns(CharSequence text, List<Finding> out) {
        for (Pattern p : List.of(SSN_SEPARATED, SSN_BARE)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                int area = Integer.parseInt(m.group(1));
                int group = Integer.parseInt(m.group(3));
                int serial = Integer.parseInt(m.group(4));
                if (!issuable(area, group, serial)) {
                    continue;   // never issued: not an SSN, nor an ITIN
                }
                CharSequence before = text.subSequence(Math.max(0, m.start() - CUE_BEFORE), m.start());
                CharSequence after = text.subSequence(m.end(), Math.min(text.length(), m.end() + CUE_AFTER));
                boolean cued = SSN_CUE.matcher(before).find() || SSN_CUE.matcher(after).find();
                if (!cued && (p == SSN_BARE || NOT_SSN_CUE.matcher(before).find())) {
                    continue;   // a bare nine-digit number, or one labelled as an order/phone/zip… number
                }
                out.add(new Finding(PiiType.SSN, m.start(), m.end(), m.group(1) + m.group(3) + m.group(4), null, cued));
            }
        }
    }

    /**
     * An SSN the SSA can issue (area 001–899 but 666, group 01–99, serial 0001–9999), or an IRS ITIN, a taxpayer number
     * of people without an SSN written the same way (area 9xx, group 50–65, 70–88, 90–92 or 94–99).
     */
    static boolean issuable(int area, int group, int serial) {
        if (group == 0 || serial == 0 || area == 0 || area == 666) {
            return false;
        }
        return area < 900 || group >= 50 && group <= 65 || group >= 70 && group <= 88 || group >= 90 && group <= 92 || group >= 94;
    }

    private void emails(CharSequence text, List<Finding> out) {
        for (Pattern p : List.of(EMAIL, EMAIL_SPELLED, EMAIL_WORDS)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                String domain = DOT_WORD.matcher(m.group(2)).replaceAll(".");
                if (p != EMAIL && domain.indexOf('.') < 0) {
                    continue;
                }
                String address = (m.group(1) + "@" + domain).toLowerCase(Locale.ROOT);
                out.add(new Finding(PiiType.EMAIL, m.start(), m.end(), address, directory.workerByEmail(address), true));
            }
        }
    }

    private void phones(CharSequence text, List<Finding> out) {
        java.util.BitSet found = new java.util.BitSet();   // where a phone starts already: the other passes skip it
        for (PhoneNumberMatch m : PHONES.findNumbers(text, "US", PhoneNumberUtil.Leniency.POSSIBLE, Long.MAX_VALUE)) {
            Phonenumber.PhoneNumber n = m.number();
            String raw = m.rawString();
            int lead = 0;   // libphonenumber may take a separator before the number ("/ 3035550166"): the span starts at the number
            while (lead < raw.length() && !Character.isDigit(raw.charAt(lead)) && raw.charAt(lead) != '+' && raw.charAt(lead) != '(') {
                lead++;
            }
            raw = raw.substring(lead);
            int start = m.start() + lead;
            int end = m.end();
            if (n.getCountryCode() == 1) {
                long ten = ContactDirectory.nanpDigits(String.valueOf(n.getNationalNumber()));
                if (ten < 0 || !nanp(ten)) {
                    continue;
                }
                String worker = directory.workerByPhone(ten);
                boolean bare = raw.chars().allMatch(Character::isDigit);
                boolean cued = phoneCue(text, start);
                if (bare && (worker == null ? !cued : notPhone(text, start))) {
                    continue;   // ten bare digits with no word saying they are a phone: an id, an order number…
                }
                out.add(new Finding(PiiType.PHONE, start, end, Long.toString(ten), worker, cued));
                found.set(start);
            } else if ((raw.startsWith("+") || raw.startsWith("00")) && PHONES.isPossibleNumber(n)) {
                out.add(international(n, start, end, text));
            }
        }
        Matcher written = NANP_WRITTEN.matcher(text);
        while (written.find()) {
            if (found.get(written.start()) || found.get(written.start() + 1)) {
                continue;
            }
            long ten = ContactDirectory.nanpDigits(written.group());
            out.add(new Finding(PiiType.PHONE, written.start(), written.end(), Long.toString(ten), directory.workerByPhone(ten),
                    phoneCue(text, written.start())));
        }
        Matcher zeros = INTERNATIONAL_00.matcher(text);
        while (zeros.find()) {
            int from = zeros.start();
            String window = "+" + text.subSequence(from + 2, Math.min(text.length(), from + 2 + 24));
            for (PhoneNumberMatch m : PHONES.findNumbers(window, "ZZ", PhoneNumberUtil.Leniency.POSSIBLE, 1)) {
                if (m.start() == 0) {
                    out.add(international(m.number(), from, from + 1 + m.end(), text));
                }
            }
        }
        // a roster worker's number is theirs however it is written: every bare run of ten digits is looked up
        Matcher m = TEN_DIGITS.matcher(text);
        while (m.find()) {
            if (found.get(m.start())) {
                continue;
            }
            String worker = directory.workerByPhone(ContactDirectory.nanpDigits(m.group()));
            if (worker != null && !notPhone(text, m.start())) {
                out.add(new Finding(PiiType.PHONE, m.start(), m.end(), Long.toString(ContactDirectory.nanpDigits(m.group())), worker,
                        phoneCue(text, m.start())));
            }
        }
    }

    /** A NANP number: area code and exchange code start with 2–9. */
    private static boolean nanp(long ten) {
        long area = ten / 10_000_000L;
        long exchange = ten / 10_000L % 1000;
        return area >= 200 && exchange >= 200;
    }

    /** A phone word before the number, nearer than any order/account word. */
    private static boolean phoneCue(CharSequence text, int start) {
        CharSequence before = text.subSequence(Math.max(0, start - CUE_BEFORE), start);
        return lastEnd(PHONE_CUE, before) > lastEnd(NOT_PHONE_CUE, before);
    }

    /** An order/account word before the number, nearer than any phone word. */
    private static boolean notPhone(CharSequence text, int start) {
        CharSequence before = text.subSequence(Math.max(0, start - CUE_BEFORE), start);
        return lastEnd(NOT_PHONE_CUE, before) >= lastEnd(PHONE_CUE, before) && lastEnd(NOT_PHONE_CUE, before) >= 0;
    }

    private static Finding international(Phonenumber.PhoneNumber n, int start, int end, CharSequence text) {
        return new Finding(PiiType.PHONE, start, end, "+" + n.getCountryCode() + n.getNationalNumber(), null, phoneCue(text, start));
    }

    private static int lastEnd(Pattern p, CharSequence s) {
        Matcher m = p.matcher(s);
        int end = -1;
        while (m.find()) {
            end = m.end();
        }
        return end;
    }

    /**
     * The findings in text order, each dropped that overlaps one kept before it (they come SSNs, then e-mails, then
     * phones; {@link #contains} relies on that order). Kept spans in a sorted map: a check is two look-ups, so any number of
     * findings costs n log n.
     */
    private static List<Finding> disjoint(List<Finding> all) {
        java.util.TreeMap<Integer, Finding> kept = new java.util.TreeMap<>();
        for (Finding f : all) {
            var below = kept.floorEntry(f.start());
            var above = kept.ceilingEntry(f.start());
            boolean overlaps = below != null && below.getValue().end() > f.start() || above != null && above.getKey() < f.end();
            if (!overlaps) {
                kept.put(f.start(), f);
            }
        }
        return List.copyOf(kept.values());
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The most digits in one group of the text — digits joined across at most three characters of
     * {@code space - . ( ) / + – —} — so a text without nine (an SSN) or ten (a NANP phone; seven after a {@code +}) in one
     * group is not read by the slower passes at all (timestamps, prices, coordinates, ids). One pass, no copy.
     */
    static int longestDigitGroup(CharSequence s) {
        int best = 0;
        int current = 0;
        int gap = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                current++;
                gap = 0;
                best = Math.max(best, current);
            } else if (current > 0 && gap < 3 && " -.()/+\u2013\u2014".indexOf(c) >= 0) {
                gap++;
            } else {
                current = 0;
                gap = 0;
            }
        }
        return best;
    }

    /** Whether a spelled-out e-mail could be there ("(at)", "[at]", "{at}", "<at>", " dot "): one pass, no copy. */
    private static boolean containsAt(CharSequence s) {
        for (int i = 1; i + 1 < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == 't' || c == 'T') && (s.charAt(i - 1) == 'a' || s.charAt(i - 1) == 'A')) {
                char n = s.charAt(i + 1);
                if (n == ')' || n == ']' || n == '}' || n == '>') {
                    return true;
                }
            } else if (c == 'd' || c == 'D') {
                if (s.charAt(i - 1) == ' ' && i + 3 < s.length() && Character.toLowerCase(s.charAt(i + 1)) == 'o'
                        && Character.toLowerCase(s.charAt(i + 2)) == 't' && s.charAt(i + 3) == ' ') {
                    return true;
                }
            }
        }
        return false;
    }
}
