package dev.lakehouse.truthd;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One claim, as stored and answered: a source asserting that {@code subject}'s {@code field} has
 * {@code value}, as observed at {@code observed_at}; recorded by truthd at {@code recorded_at}.
 * Claims are never changed: a source that asserts something new makes a new claim, and a claim's
 * rank is changed by a later claim that names it in {@code ranks} (a <em>rank statement</em>, which
 * may carry no value of its own).
 *
 * @param value       null only in a rank statement without a value
 * @param rank        Wikidata's: {@code preferred} beats {@code normal}; {@code deprecated} never wins. In answers,
 *                    the claim's rank as it stands (its own, or the one the latest rank statement about it set)
 * @param derivedFrom the claims this one was derived from (W3C PROV {@code wasDerivedFrom}), all recorded before it
 * @param ranks       the earlier claims of the same subject and field whose rank this claim sets
 * @param validFrom   when the value became true in the world (valid time); null: always was
 * @param validTo     when it stopped being true (exclusive); null: still is
 * @param rankedBy    in answers only, never stored: the rank statement that set {@code rank}, when not the claim itself
 */
public record Claim(String claimId, String subject, String field, JsonNode value, String source, Instant observedAt,
                    Instant recordedAt, double confidence, Rank rank, List<String> derivedFrom, List<RankChange> ranks,
                    Instant validFrom, Instant validTo, RankedBy rankedBy) {
    /** A claim's rank. */
    public enum Rank {
        PREFERRED, NORMAL, DEPRECATED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a rank statement does to one earlier claim: gives it {@code rank}, for {@code reason}. */
    public record RankChange(String claimId, Rank rank, String reason) {
    }

    /** The rank statement that set a claim's rank, and when it was observed (from then on the claim counts as restated). */
    public record RankedBy(String claimId, String source, Instant at, String reason) {
    }

    /** The claim without its value's bulk: what lists of agreeing and conflicting claims show. */
    public record Ref(String claimId, String source, Instant observedAt, double confidence, Rank rank, RankedBy rankedBy) {
    }

    public Ref ref() {
        return new Ref(claimId, source, observedAt, confidence, rank, rankedBy);
    }

    /** Whether this claim asserts a value (a rank statement may not). */
    public boolean asserts() {
        return value != null;
    }

    /** Whether the value holds at {@code t} in valid time: {@code valid_from <= t < valid_to}. */
    public boolean validAt(Instant t) {
        return (validFrom == null || !t.isBefore(validFrom)) && (validTo == null || t.isBefore(validTo));
    }

    /**
     * When the source last stood by this claim: its {@code observed_at}, or the time of a later rank statement that
     * promoted it or made it normal again (a restatement).
     */
    public Instant assertedAt() {
        return rankedBy != null && rank != Rank.DEPRECATED && rankedBy.at().isAfter(observedAt) ? rankedBy.at() : observedAt;
    }

    /** This claim as it stands after a rank statement: {@code rank}, set by {@code by}. */
    Claim ranked(Rank newRank, RankedBy by) {
        return new Claim(claimId, subject, field, value, source, observedAt, recordedAt, confidence, newRank, derivedFrom, ranks,
                validFrom, validTo, by);
    }
}
