package dev.lakehouse.privacy;

/**
 * One identifier found in a text.
 *
 * @param start    UTF-16 offset of its first character
 * @param end      UTF-16 offset after its last character
 * @param value    its normalized form: an SSN's nine digits, a NANP phone's ten digits, an international phone's E.164
 *                 digits with {@code +}, an e-mail address in lower case — the same value however it was written
 * @param workerId the roster worker whose contact it is, or null
 * @param cued     whether a word naming its kind stood near it ("ssn", "phone", …)
 */
public record Finding(PiiType type, int start, int end, String value, String workerId, boolean cued) {
    public Finding {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("a finding spans at least one character: " + start + ".." + end);
        }
    }

    /** Whether it is a roster worker's contact. */
    public boolean roster() {
        return workerId != null;
    }
}
