package dev.lakehouse.privacy;

import java.util.Locale;

/** The kinds of personal identifier the platform finds in text (docs/privacy.md). */
public enum PiiType {
    /** A US Social Security number, in any written form, valid by the SSA's rules. */
    SSN,
    /** A NANP phone number in any common form, or an international number in E.164 form. */
    PHONE,
    /** An e-mail address, also written "name (at) host (dot) com". */
    EMAIL;

    /** The placeholder's stem: {@code [SSN]}, {@code [PHONE_1]}, {@code [EMAIL_1]}. */
    public String label() {
        return name();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
