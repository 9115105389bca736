package dev.lakehouse.distillation.distilld;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An observation distilld could not turn into evidence, kept with why and as it was read
 * ({@code raw}: the line itself, as UTF-8 text with invalid bytes replaced), so nothing is ever
 * silently dropped.
 */
public record Quarantined(Reason reason, String detail, String file, long offset, String eventId, String raw) {
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
