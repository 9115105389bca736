package dev.lakehouse.distilld;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An observation distilld could not turn into evidence, kept with why and as it was read
 * ({@code raw}: the line itself, as UTF-8 text with invalid bytes replaced), so nothing is ever
 * silently dropped; {@code quarantine_id} names it for review (bin/lakehouse distill quarantine, docs/distilld.md).
 */
public record Quarantined(String quarantineId, Reason reason, String detail, String file, long offset, String eventId, String raw) {
    /** A stable id for a line: the same line at the same place has the same id in every run. */
    static String idOf(String file, long offset, String raw) {
        return "q-" + dev.lakehouse.distillation.CanonicalJson.sha256((file + "\n" + offset + "\n" + raw)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 20);
    }

    /** Why. */
    public enum Reason {
        BAD_JSON, BAD_UTF8, TOO_LARGE, MISSING_FIELD, SCHEMA_VIOLATION, UNKNOWN_KIND, ORPHAN_ATTEMPT;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
