package dev.lakehouse.distillation.distilld;

/**
 * The SFT-never firewall, in one place (docs/distilld.md): every SFT sample passes {@link #sft}
 * before it is written, and every text of the other exports passes {@link #clean}. A record scored
 * never-SFT does not become an SFT sample, whatever template made it; a sample that still holds
 * an SSN-like number does not either; no export text ever holds a raw SSN-like number, and a
 * rejected answer keeps no contact at all ({@link Pii#maskAll}).
 */
final class Firewall {
    private Firewall() {
    }

    /** Whether a sample of this record may go into an SFT file. */
    static boolean sft(Scored s, String sampleJson) {
        return !s.neverSft() && !Pii.hasSsn(sampleJson);
    }

    /** A text for a RAG or preference file: SSN-like numbers masked. */
    static String clean(String text) {
        return Pii.maskSsn(text);
    }

    /** A rejected answer for a preference file: SSN-like numbers, phone numbers and e-mail addresses masked. */
    static String rejected(String text) {
        return Pii.maskAll(text);
    }
}
