package dev.lakehouse.distillation.distilld;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The personal data distilld never lets into an export (docs/distilld.md, "the SFT-never firewall"),
 * by the same documented rules as validatord's e-mail checks: SSN-like numbers always; phone numbers
 * and e-mail addresses where validatord found another worker's contact. Every pattern has bounded
 * repetition and starts a match only where its first character can start one, so a scan is linear.
 */
public final class Pii {
    /** What a masked value becomes. */
    public static final String SSN_MASK = "[SSN]";
    public static final String PHONE_MASK = "[PHONE]";
    public static final String EMAIL_MASK = "[EMAIL]";

    static final Pattern SSN = Pattern.compile("(?<![0-9])[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}(?![0-9])");
    static final Pattern PHONE = Pattern.compile("(?<![0-9+(])(?:\\+?1[ .-]?)?(?:\\([0-9]{3}\\)|[0-9]{3})[ .-]?[0-9]{3}[ .-]?[0-9]{4}(?![0-9])");
    static final Pattern EMAIL = Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){1,8}");

    /** The violation rules of validatord that mean a text holds personal data it must not. */
    static final List<String> PII_RULES = List.of("ssn", "other_worker_contact");

    private Pii() {
    }

    public static boolean hasSsn(String text) {
        return text != null && SSN.matcher(text).find();
    }

    /** The text with every SSN-like number masked. */
    public static String maskSsn(String text) {
        return text == null ? null : SSN.matcher(text).replaceAll(Matcher.quoteReplacement(SSN_MASK));
    }

    /** The text with SSN-like numbers, phone numbers and e-mail addresses masked. */
    public static String maskAll(String text) {
        if (text == null) {
            return null;
        }
        String s = maskSsn(text);
        s = EMAIL.matcher(s).replaceAll(Matcher.quoteReplacement(EMAIL_MASK));
        return PHONE.matcher(s).replaceAll(Matcher.quoteReplacement(PHONE_MASK));
    }
}
