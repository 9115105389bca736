package dev.lakehouse.privacy;

/**
 * Who a phone number or an e-mail address belongs to: the roster's contacts, looked up by their normalized
 * form (ten NANP digits, a lower-case address), so {@code 614.555.0142} finds the roster's {@code 614-555-0142}.
 */
public interface ContactDirectory {
    /** No contacts: only the shapes of identifiers are found. */
    ContactDirectory EMPTY = new ContactDirectory() {
        @Override
        public String workerByPhone(long nanpDigits) {
            return null;
        }

        @Override
        public String workerByEmail(String lowerCaseAddress) {
            return null;
        }
    };

    /** The worker whose phone has these ten digits (area code first), or null. */
    String workerByPhone(long nanpDigits);

    /** The worker whose e-mail address this is (lower case), or null. */
    String workerByEmail(String lowerCaseAddress);

    /**
     * The ten digits of a NANP number written any way ({@code +1 (614) 555-0142}, {@code 614.555.0142},
     * {@code 16145550142}), or -1 when its digits are not ten, or eleven starting with 1.
     */
    static long nanpDigits(CharSequence phone) {
        long v = 0;
        int digits = 0;
        for (int i = 0; i < phone.length(); i++) {
            char c = phone.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 11) {
                    return -1;
                }
                v = v * 10 + (c - '0');
            }
        }
        if (digits == 11 && v / 10_000_000_000L == 1) {
            return v - 10_000_000_000L;
        }
        return digits == 10 ? v : -1;
    }
}
