package dev.lakehouse.distilld;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One unit of work the platform did, made from one or more observations (docs/distilld.md):
 * a chat call, an iterate run with all its attempts, a validation, a retrieval (with the chat
 * call that used it, when one did), a truth resolution, or a playbook (pathwayd's record of a valid fill).
 *
 * @param evidenceId the first 32 hex digits of {@code hash}
 * @param hash       SHA-256 of the canonical encoding of {@code type} and {@code content}: two evidence records
 *                   with the same hash are duplicates, whatever events they came from
 * @param eventIds   provenance: the observations it was made from, in the order read
 * @param ts         the first observation's time (RFC 3339, as observed — never the run's clock)
 */
record Evidence(String evidenceId, String hash, Type type, String requestId, String ts, List<String> eventIds,
                       JsonNode content) {
    /** What unit of work. */
    public enum Type {
        CHAT, ITERATE, VALIDATION, RETRIEVAL, TRUTH, PLAYBOOK;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
