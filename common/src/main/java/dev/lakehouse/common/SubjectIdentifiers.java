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
            } else if (raw.indexOf('@') >= 0) {
                if (!EMAIL.matcher(raw).matches()) {
                    throw new NotSpecific(i, "not an e-mail address");
                }
                s.plain.add(raw.toLowerCase(Locale.ROOT));
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
            }
        }
        return s;
    }

    public List<String> identifiers() {
        return all;
    }

    /** Whether {@code text} names the subject by any identifier. */
    public boolean matches(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        String upper = null;
        for (String w : words) {
            upper = upper == null ? text.toUpperCase(Locale.ROOT) : upper;
            for (int at = upper.indexOf(w); at >= 0; at = upper.indexOf(w, at + 1)) {
                boolean before = at == 0 || !Character.isLetterOrDigit(upper.charAt(at - 1));
                int end = at + w.length();
                if (before && (end == upper.length() || !Character.isLetterOrDigit(upper.charAt(end)))) {
                    return true;
                }
            }
        }
        if (!plain.isEmpty()) {
            String lower = text.toLowerCase(Locale.ROOT);
            for (String p : plain) {
                if (lower.contains(p)) {
                    return true;
                }
            }
        }
        for (Pattern n : names) {
            if (n.matcher(text).find()) {
                return true;
            }
        }
        return !digits.isEmpty() && digitRunsContain(text);
    }

    /** Each run of digits and written separators, read as its digits, checked for the identifiers' digits. */
    private boolean digitRunsContain(String text) {
        StringBuilder run = new StringBuilder();
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '\n';
            if (c >= '0' && c <= '9') {
                run.append(c);
            } else if (!run.isEmpty() && (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '+'
                    || c == '\u2013' || c == '\u2014')) {
                continue;   // a separator inside a number
            } else if (!run.isEmpty()) {
                if (run.length() >= MIN_DIGITS) {
                    String r = run.toString();
                    for (String d : digits) {
                        if (r.contains(d)) {
                            return true;
                        }
                    }
                }
                run.setLength(0);
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
