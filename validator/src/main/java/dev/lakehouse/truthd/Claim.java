package dev.lakehouse.truthd;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One claim, as stored and answered: a source asserting that {@code subject}'s {@code field} has
 * {@code value}, as observed at {@code observed_at}; recorded by truthd at {@code recorded_at}.
 * Claims are never changed: a source that asserts something new makes a new claim.
 *
 * @param rank        Wikidata's: {@code preferred} beats {@code normal}; {@code deprecated} never wins
 * @param derivedFrom the claims this one was derived from (W3C PROV {@code wasDerivedFrom}), all recorded before it
 */
public record Claim(String claimId, String subject, String field, JsonNode value, String source, Instant observedAt,
                    Instant recordedAt, double confidence, Rank rank, List<String> derivedFrom) {
    /** A claim's rank. */
    public enum Rank {
        PREFERRED, NORMAL, DEPRECATED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The claim without its value's bulk: what lists of agreeing and conflicting claims show. */
    public record Ref(String claimId, String source, Instant observedAt, double confidence, Rank rank) {
    }

    public Ref ref() {
        return new Ref(claimId, source, observedAt, confidence, rank);
    }
}
