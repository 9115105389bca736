package dev.lakehouse.matrixd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

/**
 * Local servers speaking embedd's {@code POST /v1/embed} and vectord's
 * {@code PUT|GET /v1/indexes/{name}} and {@code POST /v1/indexes/{name}/search} (dot
 * product, payload filters by equality or any-of, as vectord documents them).
 * embedd embeds a text as (1, length mod 7, 0, 0); a vectord takes upserts and deletes
 * of points and may be told to hang.
 */
public final class FakePeers {
    private FakePeers() {
    }

    public static DaemonServer embedd(AtomicInteger calls) {
        return DaemonServer.builder("fakeembedd", EnvConfig.of(Map.of("LAKEHOUSE_FAKEEMBEDD_PORT", "0")), 0).embedded()
                .routing(r -> r.post("/v1/embed", (req, res) -> {
                    calls.incrementAndGet();
                    JsonNode input = Json.mapper().readTree(req.content().inputStream()).path("input");
                    List<float[]> vectors = new ArrayList<>();
                    for (JsonNode t : input.isArray() ? input : List.of(input)) {
                        vectors.add(new float[] {1, t.asText().length() % 7, 0, 0});
                    }
                    Json.send(res, 200, Map.of("model", "fake", "provider", "local", "dims", 4, "cache_hits", 0,
                            "embeddings", vectors));
                }))
                .start();
    }

    /**
     * An embedd whose vectors follow the words: each word (lower case, letters and digits) adds 1 to one of 64
     * dimensions chosen by its hash, and the vector is normalised, so texts sharing words are near.
     */
    public static DaemonServer wordsEmbedd(AtomicInteger calls) {
        return wordsEmbedd(calls, () -> true);
    }

    /** The same, ready only when {@code ready} says so: until then /ready and /v1/embed answer 503, as embedd loading its model. */
    public static DaemonServer wordsEmbedd(AtomicInteger calls, java.util.function.BooleanSupplier ready) {
        return DaemonServer.builder("fakeembedd", EnvConfig.of(Map.of("LAKEHOUSE_FAKEEMBEDD_PORT", "0")), 0).embedded()
                .readiness("model", () -> ready.getAsBoolean() ? dev.lakehouse.common.Readiness.up()
                        : dev.lakehouse.common.Readiness.down("loading the model"))
                .routing(r -> r.post("/v1/embed", (req, res) -> {
                    calls.incrementAndGet();
                    if (!ready.getAsBoolean()) {
                        throw new dev.lakehouse.common.ApiException.Unavailable("model_loading", "the model is loading");
                    }
                    JsonNode input = Json.mapper().readTree(req.content().inputStream()).path("input");
                    List<float[]> vectors = new ArrayList<>();
                    for (JsonNode t : input.isArray() ? input : List.of(input)) {
                        vectors.add(words(t.asText()));
                    }
                    Json.send(res, 200, Map.of("model", "fake", "provider", "local", "dims", 64, "cache_hits", 0,
                            "embeddings", vectors));
                }))
                .start();
    }

    public static float[] words(String text) {
        float[] v = new float[64];
        for (String w : text.toLowerCase(java.util.Locale.ROOT).split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), 64)] += 1;
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        for (int i = 0; i < v.length && norm > 0; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        v[63] += norm == 0 ? 1 : 0;
        return v;
    }

    /** One vectord: index name → points (id, vector, payload). */
    public static final class Vectord {
        public record Point(String id, float[] vector, JsonNode payload) {
        }

        public final Map<String, List<Point>> indexes = new ConcurrentHashMap<>();
        /** Every index creation asked for, as {@code name:dims}. */
        public final List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Each index's gate, as created (vectord's {@code gate}: none or role). */
        public final Map<String, String> gates = new ConcurrentHashMap<>();
        public volatile long hangMillis;
        /** Every snapshot asked for, by index name. */
        public final List<String> snapshots = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** How long each write (upsert, delete) takes: widens the window in which two writers can interleave. */
        public volatile long writeMillis;
        /** While set, writes (upserts, deletes) answer 503 as a vectord that is going down would. */
        public volatile boolean refuseWrites;
        public final DaemonServer server;

        public Vectord() {
            server = DaemonServer.builder("fakevectord", EnvConfig.of(Map.of("LAKEHOUSE_FAKEVECTORD_PORT", "0")), 0).embedded()
                    .routing(r -> r
                            .put("/v1/indexes/{name}", (req, res) -> {
                                String name = req.path().pathParameters().get("name");
                                JsonNode body = Json.mapper().readTree(req.content().inputStream());
                                created.add(name + ":" + body.path("dims").asInt());
                                gates.putIfAbsent(name, body.path("gate").asText("none"));
                                boolean fresh = indexes.putIfAbsent(name, new java.util.concurrent.CopyOnWriteArrayList<>()) == null;
                                Json.send(res, fresh ? 201 : 200, Map.of("name", name));
                            })
                            .get("/v1/indexes/{name}", (req, res) -> {
                                String name = req.path().pathParameters().get("name");
                                if (!indexes.containsKey(name)) {
                                    res.status(404).header("Content-Type", "application/problem+json").send(Json.bytes(Map.of(
                                            "status", 404, "code", "index_not_found", "detail", "index '" + name + "' does not exist")));
                                    return;
                                }
                                Json.send(res, 200, Map.of("name", name, "dims", 4, "metric", "dot", "gate", gates.getOrDefault(name, "none"),
                                        "count", indexes.get(name).size()));
                            })
                            .post("/v1/indexes/{name}/points", (req, res) -> {
                                if (writeMillis > 0) {
                                    Thread.sleep(writeMillis);
                                }
                                if (refuseWrites) {
                                    unavailable(res);
                                    return;
                                }
                                String name = req.path().pathParameters().get("name");
                                JsonNode body = Json.mapper().readTree(req.content().inputStream());
                                List<Point> list = indexes.computeIfAbsent(name, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
                                for (JsonNode p : body.path("points")) {
                                    list.removeIf(x -> x.id().equals(p.path("id").asText()));
                                    list.add(new Point(p.path("id").asText(), Json.mapper().treeToValue(p.path("vector"), float[].class),
                                            p.path("payload")));
                                }
                                Json.send(res, 200, Map.of("upserted", body.path("points").size()));
                            })
                            .delete("/v1/indexes/{name}/points/{id}", (req, res) -> {
                                if (writeMillis > 0) {
                                    Thread.sleep(writeMillis);
                                }
                                if (refuseWrites) {
                                    unavailable(res);
                                    return;
                                }
                                String id = req.path().pathParameters().get("id");
                                List<Point> list = indexes.getOrDefault(req.path().pathParameters().get("name"), List.of());
                                if (list.removeIf(x -> x.id().equals(id))) {
                                    res.status(204).send();
                                } else {
                                    res.status(404).header("Content-Type", "application/problem+json").send(Json.bytes(Map.of(
                                            "status", 404, "code", "point_not_found", "detail", "no point " + id)));
                                }
                            })
                            .post("/v1/indexes/{name}/snapshot", (req, res) -> {
                                snapshots.add(req.path().pathParameters().get("name"));
                                Json.send(res, 200, Map.of("version", snapshots.size()));
                            })
                            .post("/v1/indexes/{name}/search", (req, res) -> {
                                if (hangMillis > 0) {
                                    Thread.sleep(hangMillis);
                                }
                                JsonNode body = Json.mapper().readTree(req.content().inputStream());
                                List<Point> points = indexes.getOrDefault(req.path().pathParameters().get("name"), List.of());
                                float[] q = Json.mapper().treeToValue(body.path("vector"), float[].class);
                                List<Map<String, Object>> hits = new ArrayList<>();
                                points.stream().filter(p -> matches(p.payload(), body.path("filter")))
                                        .sorted(Comparator.comparingDouble((Point p) -> -dot(p.vector(), q)))
                                        .limit(body.path("k").asInt(10))
                                        .forEach(p -> hits.add(Map.of("id", p.id(), "score", dot(p.vector(), q), "payload", p.payload())));
                                Json.send(res, 200, Map.of("hits", hits, "took_ms", 0.1));
                            }))
                    .start();
        }

        public String url() {
            return "http://127.0.0.1:" + server.port();
        }

        private static void unavailable(io.helidon.webserver.http.ServerResponse res) {
            res.status(503).header("Content-Type", "application/problem+json").send(Json.bytes(Map.of(
                    "status", 503, "code", "stopping", "detail", "vectord is stopping")));
        }

        /** A point with this payload (a JSON object's text). */
        public void add(String index, String id, float[] vector, String role, String payloadJson) {
            ObjectNode payload;
            try {
                payload = (ObjectNode) Json.mapper().readTree(payloadJson);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(payloadJson, e);
            }
            if (role != null) {
                payload.put("role", role);
            }
            indexes.computeIfAbsent(index, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(new Point(id, vector, payload));
        }

        public void add(String index, String id, float[] vector, String role) {
            ObjectNode payload = Json.mapper().createObjectNode().put("doc_id", "doc-" + id);
            if (role != null) {
                payload.put("role", role);
            }
            indexes.computeIfAbsent(index, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(new Point(id, vector, payload));
        }

        private static double dot(float[] a, float[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += a[i] * b[i];
            }
            return s;
        }

        private static boolean matches(JsonNode payload, JsonNode filter) {
            if (filter == null || !filter.isObject()) {
                return true;
            }
            var it = filter.fields();
            while (it.hasNext()) {
                var e = it.next();
                JsonNode v = payload.path(e.getKey());
                boolean ok = e.getValue() instanceof ArrayNode any
                        ? java.util.stream.StreamSupport.stream(any.spliterator(), false).anyMatch(v::equals) : v.equals(e.getValue());
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }
}
