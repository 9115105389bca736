package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.lakehouse.privacy.RosterContacts;

/**
 * The audit's independent oracle for personal data (docs/privacy.md, "the audit's second detector"): a deliberately
 * broader scan that shares no rule and no code with the privacy library it audits — only the roster's raw contacts,
 * which it normalizes itself. It reads a text a character at a time and reports <em>shapes</em>, never values:
 *
 * <ul>
 *   <li>every run of digits, the digits joined across up to two separators of {@code space - . ( ) / + – —}, not glued to
 *       a letter (an id such as {@code W000123} or a hex hash is not a number): nine digits are {@code ssn_shape} (any
 *       nine, no validity rule, no cue); ten digits, or eleven starting with 1, whose area code and exchange start 2–9
 *       are {@code phone_shape}; seven to fifteen digits after a {@code +} are {@code phone_shape}; any ten consecutive
 *       digits of a run that are a roster worker's phone are {@code roster_phone};</li>
 *   <li>every {@code @} with a local part before it and a dotted domain after it is {@code email_shape}, and a roster
 *       address {@code roster_email}; {@code (at)}, {@code [at]} spellings are {@code email_shape}.</li>
 * </ul>
 *
 * <p>It finds more than the firewall masks (a ZIP+4 or a nine-digit order number is an {@code ssn_shape}): a finding is
 * a line for a person to review. Linear in the text; memory: the roster's phones as {@code Long}s and addresses.
 */
final class BroadScan {
    private static final String SEPARATORS = " -.()/+\u2013\u2014\t";
    private final Set<Long> rosterPhones;
    private final Set<String> rosterEmails;

    BroadScan(Set<Long> rosterPhones, Set<String> rosterEmails) {
        this.rosterPhones = rosterPhones;
        this.rosterEmails = rosterEmails;
    }

    /** Over the roster file's contacts (none when the path is null or absent). */
    static BroadScan load(Path roster) throws IOException {
        Set<Long> phones = new HashSet<>();
        Set<String> emails = new HashSet<>();
        if (roster != null && Files.isRegularFile(roster)) {
            RosterContacts.read(roster, c -> {
                StringBuilder d = new StringBuilder();
                if (c.phone() != null) {
                    c.phone().chars().filter(ch -> ch >= '0' && ch <= '9').forEach(ch -> d.append((char) ch));
                }
                String digits = d.length() == 11 && d.charAt(0) == '1' ? d.substring(1) : d.toString();
                if (digits.length() == 10) {
                    phones.add(Long.parseLong(digits));
                }
                if (c.email() != null) {
                    emails.add(c.email().strip().toLowerCase(Locale.ROOT));
                }
            });
        }
        return new BroadScan(phones, emails);
    }

    /** The shapes in a text, one entry per finding, in text order. */
    List<String> scan(String text) {
        List<String> out = new ArrayList<>();
        digitRuns(text, out);
        emails(text, out);
        return out;
    }

    private void digitRuns(String s, List<String> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            if (!digit(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean plus = start > 0 && s.charAt(start - 1) == '+' || start > 1 && s.charAt(start - 2) == '+' && s.charAt(start - 1) == ' ';
            StringBuilder d = new StringBuilder();
            int end = i;
            while (i < n) {
                if (digit(s.charAt(i))) {
                    d.append(s.charAt(i));
                    end = ++i;
                    continue;
                }
                int gap = 0;
                while (i + gap < n && gap < 3 && SEPARATORS.indexOf(s.charAt(i + gap)) >= 0) {
                    gap++;
                }
                if (gap == 0 || gap > 2 || i + gap >= n || !digit(s.charAt(i + gap))) {
                    break;
                }
                i += gap;
            }
            i = Math.max(i, end);
            boolean glued = start > 0 && Character.isLetter(s.charAt(start - 1)) || end < n && Character.isLetter(s.charAt(end));
            if (!glued) {
                shapes(d.toString(), plus, out);
            }
        }
    }

    private void shapes(String d, boolean plus, List<String> out) {
        int len = d.length();
        if (len == 9) {
            out.add("ssn_shape");
        }
        String ten = len == 11 && d.charAt(0) == '1' ? d.substring(1) : d;
        if (plus && len >= 7 && len <= 15 && !(len == 11 && d.charAt(0) == '1')) {
            out.add("phone_shape");
        } else if (ten.length() == 10 && ten.charAt(0) >= '2' && ten.charAt(3) >= '2') {
            out.add("phone_shape");
        }
        for (int k = 0; k + 10 <= len && !rosterPhones.isEmpty(); k++) {
            if (rosterPhones.contains(Long.parseLong(d.substring(k, k + 10)))) {
                out.add("roster_phone");
                break;
            }
        }
    }

    private void emails(String s, List<String> out) {
        String lower = s.toLowerCase(Locale.ROOT);
        for (int at = lower.indexOf('@'); at >= 0; at = lower.indexOf('@', at + 1)) {
            int a = at;
            while (a > 0 && at - a < 64 && local(lower.charAt(a - 1))) {
                a--;
            }
            int b = at + 1;
            while (b < lower.length() && b - at < 254 && (Character.isLetterOrDigit(lower.charAt(b)) || lower.charAt(b) == '.'
                    || lower.charAt(b) == '-')) {
                b++;
            }
            String domain = lower.substring(at + 1, b).replaceAll("\\.+$", "");
            if (a < at && domain.indexOf('.') > 0) {
                String address = lower.substring(a, at + 1) + domain;
                out.add(rosterEmails.contains(address) ? "roster_email" : "email_shape");
            }
        }
        for (String spelled : List.of("(at)", "[at]", "{at}")) {
            for (int k = lower.indexOf(spelled); k >= 0; k = lower.indexOf(spelled, k + 1)) {
                out.add("email_shape");
            }
        }
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean local(char c) {
        return Character.isLetterOrDigit(c) || "._%+-'".indexOf(c) >= 0;
    }
}
