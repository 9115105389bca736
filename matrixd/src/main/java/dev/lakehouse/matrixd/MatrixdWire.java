package dev.lakehouse.matrixd;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.FieldError;

/** matrixd's JSON shapes and the checks that make a malformed request a 400 (docs/matrixd.md). */
final class MatrixdWire {
    static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    static final int MAX_SHARDS = 16;
    static final int MAX_CORPORA = 64;
    static final int MAX_K = 1_000;
    static final int MAX_QUERY_CHARS = 8_000;
    static final Pattern DOC_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    static final int MAX_DOCUMENTS = 1_000;
    static final int MAX_DOCUMENT_CHARS = 1_000_000;

    private MatrixdWire() {
    }

    static String checkName(String name, String field) {
        FieldError.required(name, field);
        FieldError.check(NAME.matcher(name).matches(), field, "must be 1-64 of a-z, 0-9, '_' and '-'");
        return name;
    }

    /** {@code gate:"none"} (default) or {@code "role"}: a role-gated corpus serves a hit only to a query for a compatible role. */
    enum Gate {
        NONE, ROLE;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code PUT /v1/matrix/corpora/{name}}: {@code {"index":"jobs","vectord_url":"http://…"}} or
     * {@code {"index":"jobs","shards":["http://…","http://…"],"weight":1.0,"gate":"role","filter":{"kind":"playbook"}}}.
     * {@code filter} (optional) makes the corpus the part of the index whose payloads match it: it is added to every
     * search of the corpus and wins over a retrieve's own filter on the same field.
     */
    record CorpusSpec(String index, String vectordUrl, List<String> shards, Double weight, Gate gate, JsonNode filter) {
        CorpusSpec {
            checkName(index, "index");
            FieldError.check(vectordUrl == null || shards == null, "shards", "give vectord_url or shards, not both");
            FieldError.check(vectordUrl != null || shards != null, "vectord_url", "is required (or shards: several vectord URLs)");
            if (shards != null) {
                FieldError.check(!shards.isEmpty() && shards.size() <= MAX_SHARDS, "shards", "must hold 1 to " + MAX_SHARDS
                        + " vectord URLs, got " + shards.size());
                for (int i = 0; i < shards.size(); i++) {
                    url(shards.get(i), "shards[" + i + "]");
                }
                FieldError.check(new HashSet<>(shards).size() == shards.size(), "shards", "names a vectord twice");
            } else {
                url(vectordUrl, "vectord_url");
            }
            FieldError.check(weight == null || weight > 0 && weight <= 1_000, "weight", "must be more than 0 and at most 1000, got "
                    + weight);
            weight = weight == null ? 1.0 : weight;
            gate = gate == null ? Gate.NONE : gate;
            filter = checkFilter(filter, "filter");
        }

        /** This registration with another gate. */
        CorpusSpec withGate(Gate g) {
            return new CorpusSpec(index, vectordUrl, shards, weight, g, filter);
        }

        List<URI> shardUrls() {
            List<URI> out = new ArrayList<>();
            for (String s : shards == null ? List.of(vectordUrl) : shards) {
                out.add(URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s));
            }
            return List.copyOf(out);
        }
    }

    static final int MAX_FILTER_FIELDS = 16;

    /**
     * A payload filter: an object of at most 16 fields, each a string, number or boolean, or a non-empty list of
     * them (any of). Null or empty is no filter.
     */
    static JsonNode checkFilter(JsonNode filter, String field) {
        if (filter == null || filter.isNull() || filter.isObject() && filter.isEmpty()) {
            return null;
        }
        FieldError.check(filter.isObject(), field, "must be an object of payload fields, e.g. {\"kind\":\"playbook\"}");
        FieldError.check(filter.size() <= MAX_FILTER_FIELDS, field, "has " + filter.size() + " fields; at most " + MAX_FILTER_FIELDS);
        filter.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            boolean ok = v.isValueNode() && !v.isNull() || v.isArray() && !v.isEmpty()
                    && java.util.stream.StreamSupport.stream(v.spliterator(), false).allMatch(x -> x.isValueNode() && !x.isNull());
            FieldError.check(ok, field + "." + e.getKey(), "must be a string, number or boolean, or a non-empty list of them");
        });
        return filter;
    }

    static void url(String value, String field) {
        FieldError.required(value, field);
        FieldError.check(value.length() <= 2_000, field, "is longer than 2000 characters");
        URI uri;
        try {
            uri = new URI(value);
        } catch (java.net.URISyntaxException e) {
            throw new FieldError(field, "invalid_field", "is not a URL: " + e.getReason());
        }
        FieldError.check(("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null
                && uri.getRawQuery() == null && uri.getRawFragment() == null, field,
                "must be an http(s) URL of a vectord, like http://127.0.0.1:4217");
    }

    /** A registered corpus, as {@code GET /v1/matrix/corpora/{name}} shows it (and as the registry file stores it). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Corpus(String name, String index, List<URI> shards, double weight, Gate gate, JsonNode filter, String createdAt) {
    }

    record CorpusList(List<Corpus> corpora) {
    }

    static final Pattern PAYLOAD_FIELD = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    static final int MAX_GROUP_SIZE = 100;
    static final int MAX_OFFSET = 1_000;

    /**
     * {@code POST /v1/matrix/retrieve}: {@code {"query":"…","corpora":["jobs","playbooks"],"k":10,
     * "query_role":"forklift operator","filter":{"state":"OH"},"fusion":"rrf|dbsf|relative","rrf_k":60,
     * "group_by":"doc_id","group_size":2,"score_threshold":0.01,"offset":0}}.
     */
    record RetrieveRequest(String query, List<String> corpora, Integer k, String queryRole, JsonNode filter, Fusion fusion,
                           Integer rrfK, String groupBy, Integer groupSize, Double scoreThreshold, Integer offset) {
        RetrieveRequest {
            FieldError.required(query, "query");
            FieldError.check(!query.isBlank(), "query", "must not be blank");
            FieldError.check(query.length() <= MAX_QUERY_CHARS, "query", query.length() + " characters; at most " + MAX_QUERY_CHARS);
            FieldError.required(corpora, "corpora");
            FieldError.check(!corpora.isEmpty() && corpora.size() <= MAX_CORPORA, "corpora", "must name 1 to " + MAX_CORPORA
                    + " corpora, got " + corpora.size());
            for (int i = 0; i < corpora.size(); i++) {
                checkName(corpora.get(i), "corpora[" + i + "]");
            }
            FieldError.check(new HashSet<>(corpora).size() == corpora.size(), "corpora", "names a corpus twice");
            k = k == null ? 10 : k;
            FieldError.check(k >= 1 && k <= MAX_K, "k", "must be from 1 to " + MAX_K + ", got " + k);
            FieldError.check(queryRole == null || !queryRole.isBlank() && queryRole.length() <= 100, "query_role",
                    "must be a role of 1-100 characters");
            FieldError.check(filter == null || filter.isNull() || filter.isObject(), "filter",
                    "must be an object of payload fields, e.g. {\"state\":\"OH\"}");
            fusion = fusion == null ? Fusion.RRF : fusion;
            FieldError.check(rrfK == null || fusion == Fusion.RRF, "rrf_k", "is for fusion rrf, not " + fusion);
            rrfK = rrfK == null ? Fusion.RRF_K : rrfK;
            FieldError.check(rrfK >= 1 && rrfK <= 1_000, "rrf_k", "must be from 1 to 1000, got " + rrfK);
            FieldError.check(groupBy == null || PAYLOAD_FIELD.matcher(groupBy).matches(), "group_by",
                    "must be a payload field name (" + PAYLOAD_FIELD.pattern() + "), e.g. doc_id");
            FieldError.check(groupSize == null || groupBy != null, "group_size", "goes with group_by");
            groupSize = groupSize == null ? 1 : groupSize;
            FieldError.check(groupSize >= 1 && groupSize <= MAX_GROUP_SIZE, "group_size", "must be from 1 to " + MAX_GROUP_SIZE
                    + ", got " + groupSize);
            FieldError.check(scoreThreshold == null || Double.isFinite(scoreThreshold), "score_threshold", "must be a number");
            offset = offset == null ? 0 : offset;
            FieldError.check(offset >= 0 && offset <= MAX_OFFSET, "offset", "must be from 0 to " + MAX_OFFSET + ", got " + offset);
        }

        /** How many hits each corpus is asked for: enough for the page after the offset, and for its groups. */
        int fetch() {
            return Math.min(MAX_K, (offset + k) * (groupBy == null ? 1 : 2 * groupSize));
        }
    }

    /**
     * One merged hit, with where it came from: the top-level attribution is its best source's; a point reached through
     * several corpora (or shards) is one hit whose {@code sources} name each, its score their sum.
     */
    record Hit(String corpus, String index, String shard, String id, String docId, double score, double rawScore,
               int rankInCorpus, JsonNode payload, List<Source> sources) {
    }

    /** One way a hit was reached: the corpus, the vectord that answered, its rank there, vectord's score and the fused one. */
    record Source(String corpus, String index, String shard, int rankInCorpus, double rawScore, double score) {
    }

    /** With {@code group_by}: the hits sharing a payload value, best first, at most {@code group_size}. */
    record Group(JsonNode key, List<Hit> hits) {
    }

    /** A corpus that did not answer, or was left out: {@code {"corpus","code","detail"}}. */
    record CorpusError(String corpus, String code, String detail) {
    }

    /**
     * {@code {"hits":[…],"fusion":"rrf","query_role":"…","role_source":"request|dictionary|llm|none","partial":false,
     * "errors":[],"skipped":[],"took_ms":4.2}}.
     */
    record RetrieveResponse(List<Hit> hits, List<Group> groups, Integer ungrouped, Fusion fusion, String queryRole,
                            List<String> queryRoles, RoleResolver.Source roleSource, boolean partial, List<CorpusError> errors,
                            List<CorpusError> skipped, double tookMs) {
    }

    /** One document to ingest: {@code {"id":"job-17","text":"…","metadata":{"role":"welder","state":"OH"}}}. */
    record Document(String id, String text, JsonNode metadata) {
        Document {
            FieldError.required(id, "id");
            FieldError.check(DOC_ID.matcher(id).matches(), "id", "must be 1-200 of A-Z, a-z, 0-9, '.', '_', ':' and '-'");
            FieldError.required(text, "text");
            FieldError.check(!text.isBlank(), "text", "must not be blank");
            FieldError.check(text.length() <= MAX_DOCUMENT_CHARS, "text", text.length() + " characters; at most "
                    + MAX_DOCUMENT_CHARS);
            FieldError.check(metadata == null || metadata.isNull() || metadata.isObject(), "metadata", "must be an object");
            FieldError.check(metadata == null || !metadata.has("doc_id") && !metadata.has("chunk") && !metadata.has("text"),
                    "metadata", "doc_id, chunk and text are set by matrixd");
            metadata = metadata == null || metadata.isNull() ? null : metadata;
        }
    }

    /** {@code POST /v1/matrix/corpora/{name}/documents}: {@code {"documents":[…]}}, ids distinct. */
    record IngestRequest(List<Document> documents) {
        IngestRequest {
            FieldError.required(documents, "documents");
            FieldError.check(!documents.isEmpty() && documents.size() <= MAX_DOCUMENTS, "documents", "must hold 1 to "
                    + MAX_DOCUMENTS + " documents, got " + documents.size());
            java.util.Map<String, Integer> seen = new java.util.HashMap<>();
            for (int i = 0; i < documents.size(); i++) {
                Integer first = seen.putIfAbsent(documents.get(i).id(), i);
                FieldError.check(first == null, "documents[" + i + "].id", "'" + documents.get(i).id()
                        + "' is also documents[" + first + "]");
            }
        }
    }

    /** {@code 202 {"job_id":"…","status_url":"/v1/matrix/jobs/…","job":{…}}}. */
    record IngestAccepted(String jobId, String statusUrl, Ingest.Job job) {
    }
}
