package dev.lakehouse.matrixd.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.PeerClient;

/**
 * matrixd's view of vectord (DESIGN.md §3, vectord): an index's description and
 * search, on any vectord a corpus names (a corpus may spread over several, its
 * shards). One {@link PeerClient} per vectord URL, each with its own breaker, so a
 * dead shard fails fast without disturbing the others. Searches are idempotent and
 * retried once. pathwayd uses it too, for the indexes it owns.
 */
public final class VectordClient {
    /** What matrixd reads of {@code GET /v1/indexes/{name}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IndexInfo(String name, int dims, String metric, String gate, long count) {
        /** Whether the index is role-gated: then every corpus that names it is (docs/matrixd.md). */
        public boolean gated() {
            return "role".equals(gate);
        }
    }

    /** {@code POST /v1/indexes/{name}/search}: {@code {"vector":[…],"k":10,"filter":{…}}}. */
    public record SearchRequest(float[] vector, int k, JsonNode filter) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SearchHit(String id, double score, JsonNode payload) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SearchResponse(List<SearchHit> hits) {
    }

    /** One point of {@code POST /v1/indexes/{name}/points}. */
    public record Point(String id, float[] vector, JsonNode payload) {
    }

    record UpsertRequest(List<Point> points) {
    }

    /** {@code PUT /v1/indexes/{name}}: {@code {"dims":384,"metric":"cosine"}}. */
    record CreateRequest(int dims, String metric, String gate) {
    }

    private final PeerClient.Options options;
    private final VectordAllowlist allowed;
    private final Map<URI, PeerClient> clients = new ConcurrentHashMap<>();

    /**
     * @param allowed the vectords this client may call; any other URL is refused (403 {@code vectord_not_allowed})
     *                before a connection is made
     * @param token   the stack's internal token, sent to every vectord this client calls (null when the stack has none)
     */
    public VectordClient(Duration timeout, VectordAllowlist allowed, dev.lakehouse.common.InternalToken token) {
        this.options = PeerClient.Options.defaults().withReadTimeout(timeout).withRetries(1, Duration.ofMillis(20)).withToken(token);
        this.allowed = allowed;
    }

    private PeerClient client(URI vectord) {
        if (!allowed.allows(vectord)) {
            throw notAllowed(vectord.toString(), "vectord_url");
        }
        return clients.computeIfAbsent(vectord, u -> new PeerClient("vectord", u, options));
    }

    public boolean allows(URI vectord) {
        return allowed.allows(vectord);
    }

    /** 403: a vectord URL not on the allowlist (the URL is not echoed: it may be an internal address being probed). */
    public static dev.lakehouse.common.ApiException notAllowed(String what, String field) {
        return new dev.lakehouse.common.ApiException.BadRequest(403, "vectord_not_allowed", field + ": not one of the vectords this "
                + "daemon may call (MATRIXD_VECTORD_URLS; docs/matrixd.md)", Map.of());
    }

    public IndexInfo describe(URI vectord, String index) {
        return client(vectord).get("/v1/indexes/" + index, IndexInfo.class);
    }

    /**
     * Creates an index, or finds it there with these parameters; a 409 (there with others) is thrown as a Conflict.
     * {@code gated}: a role gate every corpus naming the index inherits.
     */
    public void create(URI vectord, String index, int dims, String metric, boolean gated) {
        client(vectord).send(io.helidon.http.Method.PUT, "/v1/indexes/" + index,
                dev.lakehouse.common.Json.bytes(new CreateRequest(dims, metric, gated ? "role" : "none")), true);
    }

    /** Upserts (idempotent: the same points give the same index). */
    public void upsert(URI vectord, String index, List<Point> points) {
        client(vectord).post("/v1/indexes/" + index + "/points", new UpsertRequest(points), JsonNode.class, true);
    }

    /** Deletes a point; false when it was not there. Ids here are URL-safe ({@code [A-Za-z0-9._:~-]}). */
    public boolean deleteIfPresent(URI vectord, String index, String id) {
        try {
            client(vectord).send(io.helidon.http.Method.DELETE, "/v1/indexes/" + index + "/points/" + id, null, true);
            return true;
        } catch (dev.lakehouse.common.ApiException.NotFound e) {
            return false;
        }
    }

    /** {@code POST /v1/indexes/{name}/snapshot}: vectord rewrites its files, dropping the WAL that held deleted points. */
    public void snapshot(URI vectord, String index) {
        client(vectord).send(io.helidon.http.Method.POST, "/v1/indexes/" + index + "/snapshot", null, true);
    }

        /** A search with the query vector given as its JSON array's bytes (as embedd wrote it): nothing parsed or printed again. */
    public SearchResponse search(URI vectord, String index, byte[] vectorJson, int k, JsonNode filter) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(vectorJson.length + 64);
        body.writeBytes("{\"vector\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        body.writeBytes(vectorJson);
        body.writeBytes((",\"k\":" + k).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (filter != null) {
            body.writeBytes(",\"filter\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            body.writeBytes(dev.lakehouse.common.Json.bytes(filter));
        }
        body.write('}');
        return client(vectord).send(io.helidon.http.Method.POST, "/v1/indexes/" + index + "/search", body.toByteArray(), true)
                .json(SearchResponse.class);
    }

        public SearchResponse search(URI vectord, String index, SearchRequest request) {
        return client(vectord).post("/v1/indexes/" + index + "/search", request, SearchResponse.class, true);
    }
}
