package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.StubServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The erasure coordinator against daemons that speak the erasure routes (one local server for all nine): the privacy
 * scope, the roster lookup, idempotence by subject, a daemon down (the job waits and names it), a stop mid-way (the
 * job resumes, steps done are not asked again), an unknown worker, and what stays on disk: never an identifier.
 */
class ErasuresTest {
    static final String OPS = "ops-key-0123456789abcdef";
    static final String ALL = "all-key-0123456789abcdef";

    @TempDir
    Path dir;

    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> answered = new CopyOnWriteArrayList<>();
    final List<String> journal = new CopyOnWriteArrayList<>();
    volatile int pathwaydStatus = 503;

    HttpServer daemons() throws Exception {
        return StubServer.start(x -> {
            String path = x.getRequestURI().getPath();
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (path.equals("/v1/roster/workers/W000123")) {
                StubServer.answer(x, 200, "{\"worker_id\":\"W000123\",\"first_name\":\"Ana\",\"last_name\":\"Ruiz\","
                        + "\"phone\":\"614-555-0101\",\"email\":\"ana.ruiz@example.com\"}");
            } else if (path.startsWith("/v1/roster/workers/")) {
                StubServer.answer(x, 404, "{\"code\":\"unknown_worker\"}");
            } else if (path.equals("/v1/journal/entries")) {
                journal.add(body);
                StubServer.answer(x, 201, "{\"seq\":1}");
            } else if (path.endsWith("/erasures")) {
                calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                bodies.add(body);
                if (path.equals("/v1/memory/erasures") && pathwaydStatus != 200) {
                    StubServer.answer(x, pathwaydStatus, "{\"code\":\"unavailable\"}");
                    return;
                }
                answered.add(path);
                int n = body.contains("614-555-0101") ? 2 : 0;
                StubServer.answer(x, 200, "{\"points_removed\":" + n + ",\"versions_purged\":" + n + ",\"claims_removed\":" + n
                        + ",\"events_masked\":" + n + ",\"records_masked\":" + n + ",\"cache_entries_removed\":0,\"workers_removed\":"
                        + (n / 2) + ",\"entries_erased\":0,\"scan\":{\"files\":3,\"bytes\":100,\"matches\":0,\"files_with_matches\":[],\"took_ms\":1}}");
            } else {
                StubServer.answer(x, 404, "{}");
            }
        });
    }

    DaemonServer gateway(HttpServer daemons) throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "ops:" + OPS + ":privacy\nall:" + ALL + "\n");
        Map<String, String> vars = new HashMap<>(Map.of("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "LAKEHOUSE_API_KEYS_FILE", keys.toString()));
        for (DaemonId d : DaemonId.values()) {
            if (d != DaemonId.GATEWAY) {
                vars.put("LAKEHOUSE_" + d.daemonName().toUpperCase(java.util.Locale.ROOT) + "_URL", StubServer.url(daemons));
            }
        }
        EnvConfig env = EnvConfig.of(vars);
        return GatewayMain.builder(GatewayConfig.from(env), env).embedded().start();
    }

    static HttpResponse<String> send(DaemonServer g, String key, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path)).header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode await(DaemonServer g, String id, java.util.function.Predicate<JsonNode> until) throws Exception {
        JsonNode j = null;
        for (int i = 0; i < 400; i++) {
            j = Json.mapper().readTree(send(g, OPS, "GET", "/v1/privacy/erasures/" + id, null).body());
            if (until.test(j)) {
                return j;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("erasure " + id + " never got there: " + j);
    }

    @Test
    void aWorkerIsErasedEverywhere_waitsForADaemonThatIsDown_resumesAfterAStop_andKeepsNoIdentifier() throws Exception {
        HttpServer daemons = daemons();
        DaemonServer g = gateway(daemons);
        String id;
        try {
            String req = "{\"subject\":\"worker:W000123\",\"reason\":\"Art. 17 request by Ana Ruiz, 614-555-0101\"}";
            assertThat(send(g, ALL, "POST", "/v1/privacy/erasures", req).statusCode()).as("* is not privacy").isEqualTo(403);
            assertThat(send(g, ALL, "POST", "/v1/memory/erasures", req).statusCode()).isEqualTo(403);
            HttpResponse<String> r = send(g, OPS, "POST", "/v1/privacy/erasures", req);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode job = Json.mapper().readTree(r.body());
            id = job.path("id").asText();
            assertThat(r.headers().firstValue("Location")).contains("/v1/privacy/erasures/" + id);
            assertThat(r.body()).doesNotContain("614-555-0101").doesNotContain("Ana Ruiz").doesNotContain("W000123");
            JsonNode again = Json.mapper().readTree(send(g, OPS, "POST", "/v1/privacy/erasures", "{\"subject\":\"worker:w000123\"}").body());
            assertThat(again.path("id").asText()).as("one job per subject at a time").isEqualTo(id);
            assertThat(again.path("existing").asBoolean()).isTrue();

            JsonNode waiting = await(g, id, j -> j.path("state").asText().equals("waiting") && j.path("steps").path("journald").path("state").asText().equals("done"));
            assertThat(waiting.path("reason").asText()).as("masked with what the roster told").isEqualTo("Art. 17 request by ********, ************");
            assertThat(waiting.path("steps").path("pathwayd").path("state").asText()).isEqualTo("waiting");
            assertThat(waiting.path("steps").path("pathwayd").path("last_error").asText()).contains("503");
            assertThat(waiting.path("steps").path("vectord").path("state").asText())
                    .as("vectord goes last, after pathwayd's purge has deleted its points in it").isEqualTo("pending");
            assertThat(calls).doesNotContainKey("/v1/indexes/erasures");
            assertThat(bodies).allSatisfy(b -> assertThat(b).contains("W000123", "614-555-0101", "ana.ruiz@example.com", "Ana Ruiz"));
        } finally {
            g.stop();
        }
        Map<String, Integer> before = new HashMap<>();
        calls.forEach((k, v) -> before.put(k, v.get()));
        pathwaydStatus = 200;
        g = gateway(daemons);
        try {
            JsonNode done = await(g, id, j -> j.path("state").asText().equals("done"));
            assertThat(done.path("proof").path("clean").asBoolean()).isTrue();
            assertThat(done.path("proof").path("found").asLong()).isPositive();
            assertThat(done.path("proof").path("files_scanned").asLong()).isEqualTo(27);
            assertThat(calls.get("/v1/truth/erasures").get()).as("a step done is not asked again")
                    .isEqualTo(before.get("/v1/truth/erasures"));
            assertThat(answered.getLast()).as("vectord last").isEqualTo("/v1/indexes/erasures");
            assertThat(calls.get("/v1/indexes/erasures").get()).isEqualTo(1);
            assertThat(calls.get("/v1/memory/erasures").get()).isGreaterThan(before.get("/v1/memory/erasures"));
            assertThat(journal).anySatisfy(e -> assertThat(e).contains("privacy.erasure.done", id).doesNotContain("W000123"));
            assertThat(dev.lakehouse.common.testing.DataGrep.files(dir.resolve("data"), List.of("W000123", "614-555-0101", "Ana Ruiz", "ana.ruiz"))).as("the kept report").isEmpty();
            assertThat(Json.mapper().readTree(send(g, OPS, "GET", "/v1/privacy/erasures", null).body()).path("erasures").toString()).contains(id);

            HttpResponse<String> unknown = send(g, OPS, "POST", "/v1/privacy/erasures", "{\"subject\":\"worker:W999999\"}");
            assertThat(unknown.statusCode()).isEqualTo(202);
            JsonNode nothing = await(g, Json.mapper().readTree(unknown.body()).path("id").asText(), j -> j.path("state").asText().equals("done"));
            assertThat(nothing.path("proof").path("found").asLong()).isZero();
            assertThat(nothing.path("note").asText()).contains("not on the roster");
        } finally {
            g.stop();
            daemons.stop(0);
        }
    }

    @Test
    void badRequests_are400NamingTheField_andNeverEchoTheIdentifier() throws Exception {
        HttpServer daemons = daemons();
        DaemonServer g = gateway(daemons);
        try {
            for (String[] c : List.of(
                    new String[] {"{\"identifiers\":[\"555\"]}", "identifiers[0]"},
                    new String[] {"{\"identifiers\":[\"Ana\"]}", "identifiers[0]"},
                    new String[] {"{\"subject\":\"worker:W000123\",\"identifiers\":[\"614-555-0101\",\"12\"]}", "identifiers[1]"},
                    new String[] {"{\"subject\":\"worker:123\"}", "subject"},
                    new String[] {"{\"subject\":7}", "subject"},
                    new String[] {"{}", "subject"},
                    new String[] {"null", ""},
                    new String[] {"[]", ""},
                    new String[] {"{\"identifiers\":\"W000123\"}", "identifiers"},
                    new String[] {"{\"subject\":\"worker:W000123\",\"reason\":\"" + "x".repeat(501) + "\"}", "reason"})) {
                HttpResponse<String> r = send(g, OPS, "POST", "/v1/privacy/erasures", c[0]);
                assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
                assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
                // the random request id may end in "12": it is not what is checked
                String body = r.body().replaceAll("\"request_id\":\"[0-9a-f]+\"", "");
                assertThat(body).as(c[0]).contains(c[1]).doesNotContain("\"555\"").doesNotContain("12\"");
            }
            assertThat(send(g, OPS, "GET", "/v1/privacy/erasures/er-nope", null).statusCode()).isEqualTo(404);
            assertThat(send(g, OPS, "DELETE", "/v1/privacy/erasures", null).statusCode()).isEqualTo(405);
            assertThat(send(g, OPS, "GET", "/v1/privacy/erasures/a/b", null).statusCode()).isEqualTo(404);
        } finally {
            g.stop();
            daemons.stop(0);
        }
    }
}
