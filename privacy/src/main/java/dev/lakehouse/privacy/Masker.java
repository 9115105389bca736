package dev.lakehouse.privacy;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces identifiers with typed placeholders: {@code [SSN]}, {@code [PHONE_1]}, {@code [EMAIL_1]}. A
 * {@link Session} is one sample: the same value gets the same placeholder in every text masked through it
 * ({@code 614.555.0142} in the question and {@code (614) 555-0142} in the answer are both {@code [PHONE_1]}), a new
 * value the next number of its type. Placeholders hold no digits of the value and no '@', so no detector reads them
 * as an identifier again.
 */
public final class Masker {
    private final PiiDetector detector;

    public Masker(PiiDetector detector) {
        this.detector = detector;
    }

    /** A new sample's placeholders. */
    public Session session() {
        return new Session();
    }

    /** One text masked on its own (its own placeholders). */
    public String mask(String text) {
        return session().mask(text);
    }

    /** The placeholders of one sample, and what was masked in it. */
    public final class Session {
        private final Map<String, String> placeholders = new HashMap<>();
        private final Map<PiiType, Integer> counts = new EnumMap<>(PiiType.class);
        private final Map<PiiType, Integer> masked = new EnumMap<>(PiiType.class);
        private int rosterMasked;

        private Session() {
        }

        /** The text with every identifier replaced by its placeholder; null stays null. */
        public String mask(String text) {
            if (text == null) {
                return null;
            }
            List<Finding> found = detector.find(text);
            if (found.isEmpty()) {
                return text;
            }
            StringBuilder out = new StringBuilder(text.length());
            int at = 0;
            for (Finding f : found) {
                out.append(text, at, f.start()).append(placeholder(f));
                at = f.end();
                masked.merge(f.type(), 1, Integer::sum);
                rosterMasked += f.roster() ? 1 : 0;
            }
            return out.append(text, at, text.length()).toString();
        }

        private String placeholder(Finding f) {
            if (f.type() == PiiType.SSN) {
                return "[SSN]";
            }
            return placeholders.computeIfAbsent(f.type() + ":" + f.value(),
                    k -> "[" + f.type().label() + "_" + counts.merge(f.type(), 1, Integer::sum) + "]");
        }

        /** How many identifiers of each type were replaced so far. */
        public Map<PiiType, Integer> masked() {
            return Map.copyOf(masked);
        }

        /** How many of them were roster workers' contacts. */
        public int rosterMasked() {
            return rosterMasked;
        }
    }
}
