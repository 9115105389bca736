package dev.lakehouse.common;

import java.util.regex.Pattern;

/**
 * Masks secrets and PII in text bound for logs: bearer tokens, API-key-looking
 * strings ({@code sk-…}), {@code key=}/{@code token=} parameters and SSN-like numbers.
 * Applied by the log formatter to every line, so no call site has to remember.
 */
public final class Redact {
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final Pattern SK_KEY = Pattern.compile("\\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}");
    private static final Pattern KEY_PARAM = Pattern.compile("(?i)((?:api[_-]?key|token|secret|password)[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"'&,}]+");
    private static final Pattern SSN = Pattern.compile("\\b\\d{3}[- ]?\\d{2}[- ]?\\d{4}\\b");

    private Redact() {
    }

    private static final Pattern MAYBE_SECRET = Pattern.compile("(?i)bearer|sk-|pk-|rk-|key|token|secret|password");

    public static String text(String s) {
        if (s == null || s.isEmpty() || !mayHold(s)) {
            return s;
        }
        String out = BEARER.matcher(s).replaceAll("$1***");
        out = SK_KEY.matcher(out).replaceAll("$1-***");
        out = KEY_PARAM.matcher(out).replaceAll("$1***");
        return SSN.matcher(out).replaceAll("***-**-****");
    }

    /** A cheap first look (every log line passes here): nine digits, or a word that may precede a secret. */
    static boolean mayHold(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9' && ++digits >= 9) {
                return true;
            }
        }
        return MAYBE_SECRET.matcher(s).find();
    }
}
