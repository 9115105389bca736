package dev.lakehouse.common;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Masks secrets and PII in text bound for logs and error bodies: every secret the
 * process was configured with ({@link #register}, done by {@link EnvConfig#secret}
 * and the gateway's key file), whatever its shape; bearer tokens, API-key-looking
 * strings ({@code sk-…}), {@code key=}/{@code token=} parameters, e-mail addresses, written phone numbers and
 * SSN-like numbers (the privacy module's detector is the thorough one, for exports; this is the log's last net).
 * Applied by the log formatter to every line and by {@link Problem#of} to every
 * detail, so no call site has to remember.
 *
 * <p>The registry is process-wide on purpose: the log formatter is too. It holds
 * the few configured secrets (provider keys, API keys), each checked with one
 * {@code indexOf} per line: linear in the line for a fixed set.
 */
public final class Redact {
    /** Shorter values are not registered: masking every occurrence of "ab" would wreck the logs, not protect a key. */
    static final int MIN_SECRET_LENGTH = 6;
    private static final List<String> KNOWN = new CopyOnWriteArrayList<>();

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final Pattern SK_KEY = Pattern.compile("\\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}");
    private static final Pattern KEY_PARAM = Pattern.compile("(?i)((?:api[_-]?key|token|secret|password)[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"'&,}]+");
    private static final Pattern SSN = Pattern.compile("\\b\\d{3}[- ]?\\d{2}[- ]?\\d{4}\\b");
    /**
     * An e-mail address; it may only start where a run of address characters starts (the lookbehind), so a long run
     * without an {@code @} is passed over once, not once per position: linear in the line.
     */
    private static final Pattern EMAIL = Pattern.compile("(?<![\\w.+-])[\\w.+-]{1,64}+@[A-Za-z0-9-]{1,63}+(?:\\.[A-Za-z0-9-]{1,63}+)++");
    /** A written North American phone number (separators required: a bare run of digits is an id or a time, not this). */
    private static final Pattern PHONE = Pattern.compile("(?<![\\d+])(?:\\+?1[-. ]?)?(?:\\(\\d{3}\\)\\s?|\\d{3}[-. ])\\d{3}[-. ]\\d{4}(?!\\d)");

    private Redact() {
    }

    /** Words that may precede a secret, lower-case: a plain search, no pattern, as every log line's fields pass here. */
    private static final java.util.List<String> SECRET_WORDS = java.util.List.of("bearer", "sk-", "pk-", "rk-", "key", "token",
            "secret", "password");

    /** Remembers a configured secret so that no log line or error body ever shows it. */
    public static void register(String secret) {
        if (secret != null && secret.strip().length() >= MIN_SECRET_LENGTH && !KNOWN.contains(secret.strip())) {
            KNOWN.add(secret.strip());
        }
    }

    public static String text(String s) {
        if (s == null || s.isEmpty()) {
            return s;
        }
        String out = s;
        for (String secret : KNOWN) {
            if (out.contains(secret)) {
                out = out.replace(secret, "***");
            }
        }
        if (!mayHold(out)) {
            return out;
        }
        out = BEARER.matcher(out).replaceAll("$1***");
        out = SK_KEY.matcher(out).replaceAll("$1-***");
        out = KEY_PARAM.matcher(out).replaceAll("$1***");
        if (out.indexOf('@') >= 0) {
            out = EMAIL.matcher(out).replaceAll("[EMAIL]");
        }
        out = PHONE.matcher(out).replaceAll("[PHONE]");
        return SSN.matcher(out).replaceAll("***-**-****");
    }

    /** A cheap first look (every log line passes here): nine digits, an {@code @}, or a word that may precede a secret. */
    static boolean mayHold(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9' && ++digits >= 9 || c == '@') {
                return true;
            }
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);   // the same instance when already lower-case (a path)
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
