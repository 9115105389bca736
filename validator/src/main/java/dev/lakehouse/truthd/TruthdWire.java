package dev.lakehouse.truthd;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;

/** truthd's JSON shapes and the checks that make a malformed request a 400 (docs/truthd.md). */
public final class TruthdWire {
    /** {@code type:id}: {@code worker:W000123}, {@code client:acme-7}. */
    public static final Pattern SUBJECT = Pattern.compile("[a-z][a-z0-9_]{0,31}:[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    public static final Pattern SOURCE = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    static final Pattern CLAIM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final int MAX_CLAIMS = 1_000;
    static final int MAX_VALUE_BYTES = 16 * 1024;
    static final int MAX_DERIVED = 64;
    static final int MAX_SUBJECTS = 1_000;
    static final int MAX_REASON = 500;

    private TruthdWire() {
    }

    public static String checkSubject(String subject, String field) {
        FieldError.required(subject, field);
        FieldError.check(SUBJECT.matcher(subject).matches(), field, "must be type:id, e.g. worker:W000123 (type "
                + "[a-z][a-z0-9_]{0,31}, id 1-128 of A-Z a-z 0-9 . _ : @ -)");
        return subject;
    }

    static String checkField(String name, String field) {
        FieldError.required(name, field);
        FieldError.check(!name.isEmpty(), field, "must not be empty");
        FieldError.check(Policy.FIELD.matcher(name).matches(), field, "must match " + Policy.FIELD.pattern() + ", e.g. phone");
        return name;
    }

    static String checkClaimId(String id, String field) {
        FieldError.required(id, field);
        FieldError.check(CLAIM_ID.matcher(id).matches(), field, "must be 1-128 of A-Z, a-z, 0-9, '.', '_', ':' and '-'");
        return id;
    }

    /**
     * One claim as posted: {@code {"subject":"worker:W000123","field":"phone","value":"614-555-0101","source":"crm",
     * "observed_at":"…","confidence":0.9,"rank":"normal","derived_from":["c-1"],"claim_id":"crm-8812",
     * "valid_from":"…","valid_to":"…","ranks":[{"claim_id":"c-0","rank":"deprecated","reason":"number disconnected"}]}}.
     * {@code observed_at} defaults to now, {@code confidence} to 1, {@code rank} to normal; {@code claim_id} makes the
     * post idempotent. {@code value} may be left out only by a rank statement (a claim with {@code ranks}).
     */
    public record ClaimIn(String claimId, String subject, String field, JsonNode value, String source, String observedAt,
                          Double confidence, Claim.Rank rank, List<String> derivedFrom, List<Claim.RankChange> ranks,
                          String validFrom, String validTo) {
        public ClaimIn {
            if (claimId != null) {
                checkClaimId(claimId, "claim_id");
            }
            checkSubject(subject, "subject");
            checkField(field, "field");
            if (ranks != null) {
                FieldError.check(!ranks.isEmpty() && ranks.size() <= MAX_DERIVED, "ranks", "must name 1 to " + MAX_DERIVED
                        + " claims, got " + ranks.size());
                java.util.Set<String> named = new HashSet<>();
                for (int i = 0; i < ranks.size(); i++) {
                    Claim.RankChange r = ranks.get(i);
                    FieldError.required(r, "ranks[" + i + "]");
                    checkClaimId(r.claimId(), "ranks[" + i + "].claim_id");
                    FieldError.check(named.add(r.claimId()), "ranks[" + i + "].claim_id", "names claim '" + r.claimId()
                            + "' twice");
                    FieldError.check(!r.claimId().equals(claimId), "ranks[" + i + "].claim_id", "a claim cannot set its own rank");
                    FieldError.required(r.rank(), "ranks[" + i + "].rank");
                    FieldError.check(r.reason() == null || r.reason().length() <= MAX_REASON && r.reason().chars().noneMatch(
                            ch -> ch < 0x20), "ranks[" + i + "].reason", "at most " + MAX_REASON + " characters, no control characters");
                }
                ranks = List.copyOf(ranks);
            }
            if (value == null && ranks != null) {
                FieldError.check(rank == null && confidence == null && validFrom == null && validTo == null, "value",
                        "a rank statement without a value has no rank, confidence or validity of its own");
            } else {
                FieldError.required(value, "value");
                FieldError.check(!value.isNull(), "value", "must not be null (a source that no longer knows a value deprecates its "
                        + "claim, or closes it with valid_to)");
                int bytes = Json.bytes(value).length;
                FieldError.check(bytes <= MAX_VALUE_BYTES, "value", bytes + " bytes of JSON; at most " + MAX_VALUE_BYTES);
            }
            FieldError.required(source, "source");
            FieldError.check(SOURCE.matcher(source).matches(), "source", "must match " + SOURCE.pattern() + ", e.g. crm");
            FieldError.time(observedAt, "observed_at");
            Instant from = FieldError.time(validFrom, "valid_from");
            Instant to = FieldError.time(validTo, "valid_to");
            FieldError.check(from == null || to == null || to.isAfter(from), "valid_to", "must be after valid_from (" + validFrom + ")");
            FieldError.check(confidence == null || confidence >= 0 && confidence <= 1, "confidence",
                    "must be from 0 to 1, got " + confidence);
            if (derivedFrom != null) {
                FieldError.check(derivedFrom.size() <= MAX_DERIVED, "derived_from", "names " + derivedFrom.size()
                        + " claims; at most " + MAX_DERIVED);
                for (int i = 0; i < derivedFrom.size(); i++) {
                    checkClaimId(derivedFrom.get(i), "derived_from[" + i + "]");
                }
                FieldError.check(new HashSet<>(derivedFrom).size() == derivedFrom.size(), "derived_from", "names a claim twice");
                derivedFrom = derivedFrom.isEmpty() ? null : List.copyOf(derivedFrom);
            }
        }

        Instant observedTime(Instant now) {
            return observedAt == null ? now : FieldError.time(observedAt, "observed_at");
        }

        Instant validFromTime() {
            return FieldError.time(validFrom, "valid_from");
        }

        Instant validToTime() {
            return FieldError.time(validTo, "valid_to");
        }
    }

    /** {@code POST /v1/truth/claims}: {@code {"claims":[…]}}, 1 to 1,000, claim ids distinct. */
    public record PostClaims(List<ClaimIn> claims) {
        public PostClaims {
            FieldError.required(claims, "claims");
            FieldError.check(!claims.isEmpty() && claims.size() <= MAX_CLAIMS, "claims", "must hold 1 to " + MAX_CLAIMS
                    + " claims, got " + claims.size());
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < claims.size(); i++) {
                String id = claims.get(i).claimId();
                Integer first = id == null ? null : seen.putIfAbsent(id, i);
                FieldError.check(first == null, "claims[" + i + "].claim_id", "'" + id + "' is also claims[" + first + "]");
            }
        }

        /** Every claim's observed_at is at most {@code skew} ahead of {@code now}. */
        void checkNotFuture(Instant now, Duration skew) {
            for (int i = 0; i < claims.size(); i++) {
                Instant t = claims.get(i).observedTime(now);
                FieldError.check(!t.isAfter(now.plus(skew)), "claims[" + i + "].observed_at", t + " is in the future (now "
                        + now + ", allowed clock skew " + skew.toSeconds() + " s)");
            }
        }
    }

    /** {@code 201 {"claim_ids":[…],"created":n,"existing":n}}: the ids in the request's order. */
    public record Posted(List<String> claimIds, int created, int existing) {
    }

    /** {@code POST /v1/truth/resolve}: {@code {"subjects":[…],"fields":["status","phone"],"as_of":"…","valid_at":"…","strategy":"ranked"}}. */
    public record ResolveRequest(List<String> subjects, List<String> fields, String asOf, String validAt, String strategy) {
        public ResolveRequest {
            FieldError.required(subjects, "subjects");
            FieldError.check(!subjects.isEmpty() && subjects.size() <= MAX_SUBJECTS, "subjects", "must hold 1 to "
                    + MAX_SUBJECTS + " subjects, got " + subjects.size());
            for (int i = 0; i < subjects.size(); i++) {
                checkSubject(subjects.get(i), "subjects[" + i + "]");
            }
            if (fields != null) {
                FieldError.check(fields.size() <= 64, "fields", "at most 64 fields");
                for (int i = 0; i < fields.size(); i++) {
                    checkField(fields.get(i), "fields[" + i + "]");
                }
            }
            FieldError.time(asOf, "as_of");
            FieldError.time(validAt, "valid_at");
            if (strategy != null) {
                Policy.Strategy.parse(strategy, "strategy");
            }
        }
    }
}
