package dev.lakehouse.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The identifiers of one person to be erased (docs/privacy.md, "Erasure"), and the one matcher every daemon uses to
 * find them in what it holds. It lives in the kit, not in the privacy module, because every daemon erases and the
 * privacy module carries the roster's Parquet reader and libphonenumber, which most daemons do not need. Each identifier is one of:
 * <ul>
 *   <li>a worker id, {@code W} and six digits ({@code W000123}), matched as a whole word, any case;</li>
 *   <li>an e-mail address, matched case-insensitively anywhere;</li>
 *   <li>a number of 7 to 15 digits written any way (a phone, an SSN: {@code 614-555-0101}, {@code 123 45 6789}),
 *       matched on digits: in a text, every run of digits and the separators people write between them
 *       ({@code space - . ( ) / +}) is read as its digits alone, and matches when those contain the identifier's digits
 *       (a NANP number also without its leading 1);</li>
 *   <li>a name of two or more words of at least two letters each, matched case-insensitively with any run of spaces
 *       between its words.</li>
 * </ul>
 * Anything less specific — a three-digit number, a first name alone, a word — is refused: erasing by it would erase
 * other people. Matching is linear in the text for a fixed set of identifiers.
 */
public final class SubjectIdentifiers {
    static final Pattern WORKER = Pattern.compile("[Ww][0-9]{6}");
    static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,253}\\.[^@\\s]{2,63}");
    static final Pattern NAME_WORD = Pattern.compile("\\p{L}[\\p{L}'.-]+");
    static final int MIN_DIGITS = 7;
    static final int MAX_DIGITS = 15;

    private final List<String> words = new ArrayList<>();      // worker ids, upper case
    private final List<String> plain = new ArrayList<>();      // e-mails, lower case
    private final List<Pattern> names = new ArrayList<>();
    private final List<String> digits = new ArrayList<>();
    private final List<Pattern> literals = new ArrayList<>();   // worker ids as words, e-mails anywhere; any case
    /**
     * For each of {@link #literals} then {@link #names}: a lower-case ASCII part every match holds (the id, the e-mail,
     * a name's longest word), or null. A text whose lower case lacks it cannot match, so the pattern is not run: a plain
     * {@code indexOf} is many times faster than a case-insensitive pattern with look-arounds at every position.
     */
    private final List<String> anchors = new ArrayList<>();
    private final List<String> nameAnchors = new ArrayList<>();

    /**
     * {@code text} with each character case-folded as the patterns compare them (lower of upper: {@code ı}, {@code İ}
     * and {@code I} all become {@code i}), one character for one, so nothing a pattern matches is missed by the anchor.
     */
    private static String folded(String text) {
        char[] c = new char[text.length()];
        for (int i = 0; i < c.length; i++) {
            char ch = text.charAt(i);
            c[i] = ch < 0x80 ? (ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch) : Character.toLowerCase(Character.toUpperCase(ch));
        }
        return new String(c);
    }

    /** {@code part} in lower case when it is all ASCII (a lower-case match of it is then exact), else null: no short cut. */
    private static String anchor(String part) {
        return part.chars().allMatch(c -> c < 0x80) ? part.toLowerCase(Locale.ROOT) : null;
    }
    private final List<String> all;

    private SubjectIdentifiers(List<String> all) {
        this.all = all;
    }

    /** Why an identifier is refused: what, and the index of the identifier in the request. */
    public static final class NotSpecific extends IllegalArgumentException {
        private final int index;

        NotSpecific(int index, String why) {
            super(why);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }

    /** The identifiers, each checked; {@link NotSpecific} names the first that could match other people. */
    public static SubjectIdentifiers of(List<String> identifiers) {
        if (identifiers.isEmpty()) {
            throw new NotSpecific(-1, "at least one identifier is needed");
        }
        Set<String> seen = new LinkedHashSet<>();
        SubjectIdentifiers s = new SubjectIdentifiers(List.copyOf(identifiers));
        for (int i = 0; i < identifiers.size(); i++) {
            String raw = identifiers.get(i) == null ? "" : identifiers.get(i).strip();
            if (raw.isEmpty() || raw.length() > 320 || raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new NotSpecific(i, "an identifier is 1-320 characters without control characters");
            }
            if (!seen.add(raw.toLowerCase(Locale.ROOT))) {
                continue;
            }
            String d = raw.replaceAll("[^0-9]", "");
            if (WORKER.matcher(raw).matches()) {
                s.words.add(raw.toUpperCase(Locale.ROOT));
                s.literals.add(Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(raw) + "(?![\\p{L}\\p{N}])",
                        Pattern.CASE_INSENSITIVE));
                s.anchors.add(anchor(raw));
            } else if (raw.indexOf('@') >= 0) {
                if (!EMAIL.matcher(raw).matches()) {
                    throw new NotSpecific(i, "not an e-mail address");
                }
                s.plain.add(raw.toLowerCase(Locale.ROOT));
                s.literals.add(Pattern.compile(Pattern.quote(raw), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
                s.anchors.add(anchor(raw));
            } else if (raw.matches("[0-9 ().+/-]+")) {
                if (d.length() < MIN_DIGITS || d.length() > MAX_DIGITS) {
                    throw new NotSpecific(i, "a number of " + d.length() + " digits is not specific to one person; "
                            + MIN_DIGITS + " to " + MAX_DIGITS + " digits (a phone, an SSN)");
                }
                s.digits.add(d.length() == 11 && d.charAt(0) == '1' ? d.substring(1) : d);
            } else {
                String[] parts = raw.split("\\s+");
                if (parts.length < 2) {
                    throw new NotSpecific(i, "a single word is not specific to one person; a name needs two words or more "
                            + "(first and last), or give a worker id, phone or e-mail");
                }
                StringBuilder re = new StringBuilder("(?<![\\p{L}])");
                for (int p = 0; p < parts.length; p++) {
                    if (!NAME_WORD.matcher(parts[p]).matches()) {
                        throw new NotSpecific(i, "a name is words of two letters or more");
                    }
                    re.append(p == 0 ? "" : "\\s+").append(Pattern.quote(parts[p]));
                }
                s.names.add(Pattern.compile(re.append("(?![\\p{L}])").toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
                s.nameAnchors.add(anchor(java.util.Arrays.stream(parts).max(java.util.Comparator.comparingInt(String::length)).orElseThrow()));
            }
        }
        return s;
    }

    public List<String> identifiers() {
        return all;
    }

    /** Whether {@code text} names the subject by any identifier. */
    public boolean matches(String text) {
        return text != null && !text.isEmpty() && find(text, true, null);
    }

    /**
     * Where {@code text} names the subject: {@code [start, end)} char ranges, in no particular order (they may overlap).
     * A number's range runs from its first matching digit to its last, separators between them included.
     */
    public List<int[]> spans(String text) {
        List<int[]> out = new ArrayList<>();
        if (text != null && !text.isEmpty()) {
            find(text, false, out);
        }
        return out;
    }

    /**
     * {@code text} with every character the subject is named by replaced with {@code *}, as many as the character
     * takes bytes in UTF-8: the masked text has the same length in bytes, so a file masked in place keeps every offset
     * (docs/privacy.md, "Erasure"). A JSON escape ({@code \u0031}) is never cut: a number inside one is not read.
     */
    public String mask(String text) {
        List<int[]> spans = spans(text);
        if (spans.isEmpty()) {
            return text;
        }
        boolean[] hit = new boolean[text.length()];
        for (int[] sp : spans) {
            java.util.Arrays.fill(hit, sp[0], sp[1], true);
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!hit[i]) {
                out.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append("****");
                i++;
            } else {
                out.append(c < 0x80 ? "*" : c < 0x800 ? "**" : "***");
            }
        }
        return out.toString();
    }

    private boolean find(String text, boolean first, List<int[]> out) {
        String lower = null;
        for (int i = 0; i < literals.size() + names.size(); i++) {
            boolean literal = i < literals.size();
            String anchor = literal ? anchors.get(i) : nameAnchors.get(i - literals.size());
            if (anchor != null) {
                lower = lower == null ? folded(text) : lower;
                if (!lower.contains(anchor)) {
                    continue;
                }
            }
            java.util.regex.Matcher m = (literal ? literals.get(i) : names.get(i - literals.size())).matcher(text);
            while (m.find()) {
                if (first) {
                    return true;
                }
                out.add(new int[] {m.start(), m.end()});
            }
        }
        return !digits.isEmpty() && digitRuns(text, first, out);
    }

    /** Each run of digits and written separators, read as its digits, checked for the identifiers' digits. */
    private boolean digitRuns(String text, boolean first, List<int[]> out) {
        StringBuilder run = new StringBuilder();
        int[] at = new int[16];
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '\n';
            if (c >= '0' && c <= '9') {
                if (run.length() == at.length) {
                    at = java.util.Arrays.copyOf(at, at.length * 2);
                }
                at[run.length()] = i;
                run.append(c);
                continue;
            }
            if (!run.isEmpty() && (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '+'
                    || c == '\u2013' || c == '\u2014')) {
                continue;   // a separator inside a number
            }
            if (run.length() >= MIN_DIGITS) {
                String r = run.toString();
                for (String d : digits) {
                    for (int k = r.indexOf(d); k >= 0; k = r.indexOf(d, k + 1)) {
                        if (first) {
                            return true;
                        }
                        out.add(new int[] {at[k], at[k + d.length() - 1] + 1});
                    }
                }
            }
            run.setLength(0);
            if (c == '\\' && i + 1 < text.length()) {
                i += text.charAt(i + 1) == 'u' ? Math.min(5, text.length() - 1 - i) : 1;   // an escape's digits are not a number
            }
        }
        return false;
    }

    /**
     * The subject's fingerprint for records that must not hold the identifiers themselves (the journal's erasure
     * entry): SHA-256 of the normalized identifiers, sorted.
     */
    public String fingerprint() {
        List<String> norm = new ArrayList<>(words);
        norm.addAll(plain);
        norm.addAll(digits);
        names.forEach(n -> norm.add(n.pattern().toLowerCase(Locale.ROOT)));
        norm.sort(null);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", norm).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
