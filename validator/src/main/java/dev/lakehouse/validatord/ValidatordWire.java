package dev.lakehouse.validatord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.validatord.roster.RosterFile;

/** validatord's JSON shapes and the checks that make a malformed request a 400 (docs/validator.md). */
final class ValidatordWire {
    static final int MAX_WORKER_IDS = 1_000;
    static final int MAX_BODY_BYTES = 100 * 1024;
    static final int MAX_SUBJECT_CHARS = 1_000;
    static final int MAX_ATTEMPTS = 5;

    private ValidatordWire() {
    }

    /** What validatord checks; on the wire {@code "fill"} or {@code "email"} (any other value is a 400 naming both). */
    enum Kind {
        FILL, EMAIL;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A thing to validate: a fill or an e-mail, nothing else. */
    sealed interface Artifact permits Fill, Email {
        Kind kind();
    }

    /** {@code POST /v1/validate}: {@code {"kind":"fill","fill":{…}}} or {@code {"kind":"email","email":{…}}}. */
    record ValidateRequest(Kind kind, Fill fill, Email email) {
        ValidateRequest {
            FieldError.required(kind, "kind");
            switch (kind) {
                case FILL -> FieldError.required(fill, "fill");
                case EMAIL -> FieldError.required(email, "email");
            }
        }

        Artifact artifact() {
            return switch (kind) {
                case FILL -> fill;
                case EMAIL -> email;
            };
        }
    }

    /** {@code skipped} (absent when none): checks that did not run, and why (truthd down: the stale-roster check). */
    record ValidateResponse(boolean valid, Kind kind, List<Violation> violations, List<StaleRoster.Skipped> skipped,
                            double tookMs) {
    }

    /** A proposed fill: workers for an order. */
    record Fill(Order order, List<String> workerIds) implements Artifact {
        Fill {
            FieldError.required(order, "order");
            FieldError.required(workerIds, "worker_ids");
            FieldError.check(workerIds.size() <= MAX_WORKER_IDS, "worker_ids", workerIds.size() + " ids; at most "
                    + MAX_WORKER_IDS);
            for (int i = 0; i < workerIds.size(); i++) {
                FieldError.required(workerIds.get(i), "worker_ids[" + i + "]");
            }
        }

        @Override
        public Kind kind() {
            return Kind.FILL;
        }
    }

    /** The order a fill is for. Every field may be missing (the validator then says what it could not check); present ones must be sane. */
    record Order(String orderId, String role, String city, String state, Double lat, Double lon, Double radiusMiles,
                 Integer headcount, Double payRate) {
        Order {
            FieldError.check(lat == null || lat >= -90 && lat <= 90, "lat", "must be from -90 to 90, not " + lat);
            FieldError.check(lon == null || lon >= -180 && lon <= 180, "lon", "must be from -180 to 180, not " + lon);
            FieldError.check(radiusMiles == null || radiusMiles > 0 && radiusMiles <= 3_000, "radius_miles",
                    "must be more than 0 and at most 3000, not " + radiusMiles);
            FieldError.check(headcount == null || headcount >= 1 && headcount <= 10_000, "headcount",
                    "must be from 1 to 10000, not " + headcount);
            FieldError.check(payRate == null || payRate >= 0 && payRate <= 1_000, "pay_rate",
                    "must be from 0 to 1000, not " + payRate);
            FieldError.check(role == null || !role.isBlank(), "role", "must not be blank");
        }
    }

    /** A proposed e-mail to a worker. */
    record Email(String toWorkerId, String subject, String body) implements Artifact {
        Email {
            FieldError.required(toWorkerId, "to_worker_id");
            FieldError.check(RosterFile.isWorkerId(toWorkerId), "to_worker_id", "'" + toWorkerId
                    + "' is not a worker id (W and six digits)");
            FieldError.required(subject, "subject");
            FieldError.check(subject.length() <= MAX_SUBJECT_CHARS, "subject", subject.length() + " characters; at most "
                    + MAX_SUBJECT_CHARS);
            FieldError.required(body, "body");
            int bytes = body.getBytes(StandardCharsets.UTF_8).length;
            FieldError.check(bytes <= MAX_BODY_BYTES, "body", bytes + " bytes; at most " + MAX_BODY_BYTES + " (100 KB)");
        }

        @Override
        public Kind kind() {
            return Kind.EMAIL;
        }
    }

    /** {@code POST /v1/iterate}. */
    record IterateRequest(Kind kind, String instruction, JsonNode context, String provider, String model,
                          Integer maxAttempts) {
        IterateRequest {
            FieldError.required(kind, "kind");
            FieldError.required(instruction, "instruction");
            FieldError.check(!instruction.isBlank(), "instruction", "must not be blank");
            FieldError.check(instruction.length() <= 20_000, "instruction", "at most 20000 characters");
            FieldError.check(context == null || context.isObject(), "context", "must be an object");
            FieldError.check(maxAttempts == null || maxAttempts >= 1 && maxAttempts <= MAX_ATTEMPTS, "max_attempts",
                    "must be from 1 to " + MAX_ATTEMPTS + ", not " + maxAttempts);
            maxAttempts = maxAttempts == null ? 3 : maxAttempts;
        }
    }

    record Attempt(int n, String output, List<Violation> violations) {
    }

    /**
     * {@code POST /v1/iterate}'s answer:
     * {@code {"valid":true,"final":{…the artifact…},"attempts":[{"n","output","violations"}],"iteration_id","provider","model"}};
     * {@code final} is null when no attempt parsed.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
    record IterateResponse(boolean valid, @com.fasterxml.jackson.annotation.JsonProperty("final") Artifact finalArtifact,
                           List<Attempt> attempts, String iterationId, String provider, String model) {
    }
}
