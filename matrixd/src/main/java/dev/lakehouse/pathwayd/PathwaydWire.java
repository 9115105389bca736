package dev.lakehouse.pathwayd;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.FieldError;

/** pathwayd's JSON shapes and the checks that make a malformed request a 400 (docs/pathwayd.md). */
public final class PathwaydWire {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    static final String PLAYBOOK = "playbook";
    static final int MAX_TEXT = 32_000;
    static final int MAX_TAG = 128;
    static final int MAX_SUPERSEDES = 64;
    static final int MAX_WORKERS = 1_000;
    static final int MAX_K = 100;
    static final int MAX_QUERY = 8_000;
    /** The payload fields a search may filter on. */
    static final List<String> FILTERS = List.of("role", "scope", "user", "kind");
    /** A metadata key a filter may name: {@code metadata.team=nights}. */
    static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    static final int MAX_METADATA_FILTERS = 16;
    static final int MAX_REASON = 500;

    private PathwaydWire() {
    }

    static String checkId(String id, String field) {
        FieldError.required(id, field);
        FieldError.check(ID.matcher(id).matches(), field, "must be 1-128 of A-Z, a-z, 0-9, '.', '_', ':' and '-', starting with a"
                + " letter or digit");
        return id;
    }

    /** A role, scope or user: 1-128 characters without control characters; a role is kept lower case (the gate's form). */
    static String tag(String value, String field, boolean lowerCase) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        FieldError.check(!v.isEmpty() && v.length() <= MAX_TAG, field, "must be 1-" + MAX_TAG + " characters");
        FieldError.check(v.codePoints().noneMatch(Character::isISOControl), field, "must not hold control characters");
        return lowerCase ? v.toLowerCase(Locale.ROOT) : v;
    }

    static String checkText(String text, String field) {
        FieldError.required(text, field);
        FieldError.check(text.length() <= MAX_TEXT, field, text.length() + " characters; at most " + MAX_TEXT);
        FieldError.embeddable(text, field);
        return text;
    }

    static void range(Instant from, Instant to, String field) {
        if (from != null && to != null && !to.isAfter(from)) {
            throw new FieldError(field, "invalid_range", "valid_to (" + to + ") must be after valid_from (" + from + ")");
        }
    }

    /** A playbook: the order it filled, the workers, and how it went. */
    public record Playbook(JsonNode order, List<String> workers, String outcome) {
        public Playbook {
            FieldError.required(order, "order");
            FieldError.check(order.isObject(), "order", "must be an object (the order that was filled)");
            FieldError.required(workers, "workers");
            FieldError.check(!workers.isEmpty() && workers.size() <= MAX_WORKERS, "workers", "must hold 1 to " + MAX_WORKERS
                    + " worker ids, got " + workers.size());
            for (int i = 0; i < workers.size(); i++) {
                tag(workers.get(i), "workers[" + i + "]", false);
            }
            FieldError.required(outcome, "outcome");
            tag(outcome, "outcome", false);
        }
    }

    /**
     * {@code POST /v1/memory}: {@code {"text":"…","kind":"fact","role":"forklift operator","scope":"client:acme",
     * "user":"u-7","metadata":{…},"valid_from":"…","valid_to":"…","supersedes":["m-1"],"id":"m-2"}}; a playbook also
     * has {@code "playbook":{"order":{…},"workers":[…],"outcome":"filled"}} and a role.
     */
    public record AddRequest(String id, String text, String kind, String role, String scope, String user, JsonNode metadata,
                             Playbook playbook, String validFrom, String validTo, List<String> supersedes) {
        public AddRequest {
            if (id != null) {
                checkId(id, "id");
            }
            checkText(text, "text");
            kind = kind == null ? "fact" : kind;
            FieldError.check(KIND.matcher(kind).matches(), "kind", "must match [a-z][a-z0-9_-]{0,31}, e.g. fact or playbook");
            role = tag(role, "role", true);
            scope = tag(scope, "scope", false);
            user = tag(user, "user", false);
            FieldError.check(metadata == null || metadata.isNull() || metadata.isObject(), "metadata", "must be an object");
            metadata = metadata == null || metadata.isNull() || metadata.isEmpty() ? null : metadata;
            if (PLAYBOOK.equals(kind)) {
                FieldError.required(playbook, "playbook");
                FieldError.required(role, "role");
            } else {
                FieldError.check(playbook == null, "playbook", "is for kind playbook only");
            }
            range(FieldError.time(validFrom, "valid_from"), FieldError.time(validTo, "valid_to"), "valid_to");
            if (supersedes != null) {
                FieldError.check(supersedes.size() <= MAX_SUPERSEDES, "supersedes", "names " + supersedes.size()
                        + " memories; at most " + MAX_SUPERSEDES);
                Map<String, Integer> seen = new HashMap<>();
                for (int i = 0; i < supersedes.size(); i++) {
                    checkId(supersedes.get(i), "supersedes[" + i + "]");
                    Integer first = seen.putIfAbsent(supersedes.get(i), i);
                    FieldError.check(first == null, "supersedes[" + i + "]", "'" + supersedes.get(i) + "' is also supersedes["
                            + first + "]");
                }
                FieldError.check(id == null || !seen.containsKey(id), "supersedes", "names the new memory itself");
                supersedes = supersedes.isEmpty() ? null : List.copyOf(supersedes);
            }
        }

        Instant validFromTime() {
            return FieldError.time(validFrom, "valid_from");
        }

        Instant validToTime() {
            return FieldError.time(validTo, "valid_to");
        }
    }

    /**
     * {@code PUT /v1/memory/{id}}: a new version. {@code text} is required; every other field left out keeps the
     * latest version's value; {@code kind} cannot change; {@code expected_version} (optional) makes the write
     * conditional: 409 {@code version_conflict} when the latest version is another.
     */
    public record UpdateRequest(String text, String kind, String role, String scope, String user, JsonNode metadata,
                                Playbook playbook, String validFrom, String validTo, Integer expectedVersion) {
        public UpdateRequest {
            checkText(text, "text");
            FieldError.check(kind == null || KIND.matcher(kind).matches(), "kind", "must match [a-z][a-z0-9_-]{0,31}");
            role = tag(role, "role", true);
            scope = tag(scope, "scope", false);
            user = tag(user, "user", false);
            FieldError.check(metadata == null || metadata.isNull() || metadata.isObject(), "metadata", "must be an object");
            metadata = metadata == null || metadata.isNull() ? null : metadata;
            range(FieldError.time(validFrom, "valid_from"), FieldError.time(validTo, "valid_to"), "valid_to");
            FieldError.check(expectedVersion == null || expectedVersion >= 1, "expected_version", "must be 1 or more");
        }

        Instant validFromTime() {
            return FieldError.time(validFrom, "valid_from");
        }

        Instant validToTime() {
            return FieldError.time(validTo, "valid_to");
        }
    }

    /**
     * {@code POST /v1/memory/search}: {@code {"query":"…","k":10,"filter":{"role":"welder","kind":["fact","playbook"]},
     * "as_of":"…","valid_at":"…"}}. Without {@code as_of} and {@code valid_at}: what holds now. {@code valid_at}
     * defaults to {@code as_of}.
     */
    public record SearchRequest(String query, Integer k, JsonNode filter, String asOf, String validAt) {
        public SearchRequest {
            FieldError.required(query, "query");
            FieldError.check(query.length() <= MAX_QUERY, "query", query.length() + " characters; at most " + MAX_QUERY);
            FieldError.embeddable(query, "query");
            k = k == null ? 10 : k;
            FieldError.check(k >= 1 && k <= MAX_K, "k", "must be from 1 to " + MAX_K + ", got " + k);
            if (filter != null && !filter.isNull()) {
                FieldError.check(filter.isObject(), "filter", "must be an object of " + FILTERS + ", e.g. {\"role\":\"welder\"}");
                filter.fieldNames().forEachRemaining(f -> FieldError.check(FILTERS.contains(f) || "metadata".equals(f), "filter." + f,
                        "is not a filter; filter on " + FILTERS + " or metadata"));
                JsonNode meta = filter.get("metadata");
                if (meta != null) {
                    FieldError.check(meta.isObject() && meta.size() <= MAX_METADATA_FILTERS, "filter.metadata", "must be an object of "
                            + "at most " + MAX_METADATA_FILTERS + " key: value pairs (equality), e.g. {\"team\":\"nights\"}");
                    meta.properties().forEach(e -> {
                        FieldError.check(METADATA_KEY.matcher(e.getKey()).matches(), "filter.metadata", "'" + e.getKey()
                                .substring(0, Math.min(64, e.getKey().length())) + "' is not a metadata key (" + METADATA_KEY.pattern() + ")");
                        FieldError.check(e.getValue().isValueNode() && !e.getValue().isNull(), "filter.metadata." + e.getKey(),
                                "must be a string, number or boolean");
                    });
                }
                for (String f : FILTERS) {
                    JsonNode v = filter.get(f);
                    if (v == null) {
                        continue;
                    }
                    boolean ok = v.isTextual() || v.isArray() && !v.isEmpty() && v.size() <= 64
                            && java.util.stream.StreamSupport.stream(v.spliterator(), false).allMatch(JsonNode::isTextual);
                    FieldError.check(ok, "filter." + f, "must be a string or a list of 1-64 strings (any of)");
                }
            } else {
                filter = null;
            }
            FieldError.time(asOf, "as_of");
            FieldError.time(validAt, "valid_at");
        }

        /** The metadata equalities the filter asks for (key → the value's text); empty when none. */
        Map<String, String> metadata() {
            JsonNode meta = filter == null ? null : filter.get("metadata");
            Map<String, String> out = new java.util.LinkedHashMap<>();
            if (meta != null) {
                meta.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
            }
            return out;
        }

        /** The filter's values for a field (lower case for a role), or null when it does not filter on it. */
        List<String> values(String field) {
            JsonNode v = filter == null ? null : filter.get(field);
            if (v == null) {
                return null;
            }
            List<String> out = new java.util.ArrayList<>();
            (v.isArray() ? v : List.of(v)).forEach(x -> out.add("role".equals(field) ? x.asText().strip().toLowerCase(Locale.ROOT)
                    : x.asText()));
            return out;
        }
    }

    /** A version as answered: the stored version and when it was replaced (null while it is the latest). */
    public record VersionView(@JsonUnwrapped Version version, Instant supersededAt) {
        static VersionView of(Memory m, Version v) {
            return new VersionView(v, m.supersededAt(v.version()));
        }
    }

    /** The answer to a write: the new version, the versions it closed, and whether search already sees it. */
    public record Written(VersionView memory, List<VersionView> superseded, boolean indexed) {
    }

    /** {@code GET /v1/memory/{id}/history}: every version, oldest first, and the chain both ways. */
    /** Whether a version's metadata holds each wanted key with that value (compared as text: 3 = "3", true = "true"). */
    static boolean metadataMatches(Version v, Map<String, String> wanted) {
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            JsonNode have = v.metadata() == null ? null : v.metadata().get(w.getKey());
            if (have == null || !have.isValueNode() || have.isNull() || !have.asText().equals(w.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** {@code POST /v1/memory/{id}/reopen}: {@code {"reason":"the move fell through","expected_version":3}}. */
    public record ReopenRequest(String reason, Integer expectedVersion) {
        public ReopenRequest {
            FieldError.required(reason, "reason");
            checkReason(reason);
            FieldError.check(expectedVersion == null || expectedVersion >= 1, "expected_version", "must be 1 or more");
        }
    }

    /** {@code POST /v1/memory/{id}/purge}: {@code {"reason":"erasure request 2026-118"}}. */
    public record PurgeRequest(String reason) {
        public PurgeRequest {
            FieldError.required(reason, "reason");
            checkReason(reason);
        }
    }

    private static void checkReason(String reason) {
        FieldError.check(!reason.isBlank() && reason.length() <= MAX_REASON && reason.chars().noneMatch(c -> c < 0x20 || c == 0x7f),
                "reason", "must be 1-" + MAX_REASON + " characters without control characters");
    }

    /** {@code 200 {"purged":{"id","versions","reason"},"seq"}}. */
    public record Purged(dev.lakehouse.pathwayd.store.VersionLog.Purge purged, long seq) {
    }

    /** {@code 200 {"erasure_id","memories_purged","versions_purged","indexed"}}: {@code indexed}, the vectors are gone too. */
    public record ErasedView(String erasureId, int memoriesPurged, long versionsPurged, boolean indexed) {
    }

    /** {@code GET /v1/memory?…}: a page of memories (their latest versions) and the cursor of the next. */
    public record Page(List<VersionView> memories, String next) {
    }

    public record History(String id, List<VersionView> versions, List<String> supersedes, List<String> supersededBy) {
    }

    /** One search hit: the memory's version current at the requested times, and its similarity. */
    public record Hit(String id, int version, double score, VersionView memory) {
    }

    /**
     * {@code {"hits":[…],"as_of","valid_at","index":"current|history","pending":0,"took_ms"}}; {@code pending} counts
     * writes search does not see yet (indexing is asynchronous; 0 nearly always).
     */
    public record SearchResponse(List<Hit> hits, Instant asOf, Instant validAt, String index, long pending, double tookMs) {
    }
}
