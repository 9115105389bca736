package dev.lakehouse.gateway;

import static dev.lakehouse.common.testing.StubServer.answer;
import static dev.lakehouse.common.testing.StubServer.url;

import static dev.lakehouse.common.testing.TestHttp.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.testing.StubServer;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's cutover in-process, with local HTTP servers standing for this stack's chatd, a legacy stack and
 * journald: shadow traffic compared and journaled, the caller never waiting for the copy, a legacy stack that is down,
 * serving from legacy, and reloads — bad files refused with the table kept, the admin scope enforced.
 */
class CutoverTest {
    static final String ADMIN = "admin-key-0123456789abcdef";
    static final String CHAT = "chat-key-0123456789abcdef0";

    @TempDir
    Path dir;
    HttpServer local;
    HttpServer legacy;
    HttpServer journald;
    final AtomicReference<String> legacyAnswer = new AtomicReference<>();
    final AtomicReference<CountDownLatch> legacyGate = new AtomicReference<>();
    final List<String> journaled = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicBoolean journaldDown = new java.util.concurrent.atomic.AtomicBoolean();
    final List<String> legacyGot = new CopyOnWriteArrayList<>();
    DaemonServer gateway;
    Path routes;
    final HttpClient http = HttpClient.newHttpClient();



    @BeforeEach
    void start() throws Exception {
        local = StubServer.start(x -> answer(x, 200, "{\"message\":{\"content\":\"Hello\"},\"latency_ms\":12.5,\"hits\":[1,2]}"));
        legacyAnswer.set("{\"message\":{\"content\":\"Hello\"},\"latency_ms\":99.0,\"hits\":[2,1]}");
        legacy = StubServer.start(x -> {
            legacyGot.add(x.getRequestMethod() + " " + x.getRequestURI() + " " + new String(x.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8) + " shadow=" + x.getRequestHeaders().getFirst("X-Lakehouse-Shadow"));
            CountDownLatch gate = legacyGate.get();
            if (gate != null) {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            answer(x, 200, legacyAnswer.get());
        });
        journald = StubServer.start(x -> {
            String entry = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (journaldDown.get()) {
                answer(x, 503, "{\"code\":\"closing\"}");
                return;
            }
            journaled.add(entry);
            answer(x, 201, "{\"seq\":" + journaled.size() + "}");
        });
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "admin:" + ADMIN + "\nchatter:" + CHAT + ":chat,memory\n");
        routes = dir.resolve("routes.json");
        write("{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"" + url(legacy)
                + "\",\"shadow_paid\":true,\"normalize\":{\"unordered\":[\"hits\"]}}]}");
        EnvConfig env = EnvConfig.of(pairs("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "LAKEHOUSE_CHATD_URL", url(local), "LAKEHOUSE_PATHWAYD_URL", url(local), "LAKEHOUSE_JOURNALD_URL", url(journald), "LAKEHOUSE_API_KEYS_FILE", keys.toString(),
                "LAKEHOUSE_ROUTES_FILE", routes.toString(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                "GATEWAY_DIFF_WINDOW", "1s", "GATEWAY_DIFF_SAMPLES", "3", "GATEWAY_ROUTES_WATCH", "200ms", "GATEWAY_REPLICA", "gw-test"));
        gateway = GatewayMain.builder(GatewayConfig.from(env), env).embedded().start();
    }

    @AfterEach
    void stop() {
        gateway.stop();
        local.stop(0);
        legacy.stop(0);
        journald.stop(0);
    }

    static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }


    void write(String json) throws Exception {
        Files.writeString(routes, json);
    }

    HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode parity() throws Exception {
        return Json.mapper().readTree(send("GET", "/admin/parity?route=/v1/chat", null, ADMIN).body()).path("routes").get(0);
    }

    JsonNode awaitResult(String result, long n) throws Exception {
        for (int i = 0; i < 200; i++) {
            JsonNode p = parity();
            if (p.path("results").path(result).asLong() >= n) {
                return p;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no " + result + " in " + parity());
    }

    @Test
    void shadow_comparesAfterTheCallerHasItsAnswer_andJournalsADifference() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        legacyGate.set(gate);   // the legacy stack holds its answer until the caller has had ours
        HttpResponse<String> r = send("POST", "/v1/chat", "{\"messages\":[]}", CHAT);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("12.5");   // served locally
        assertThat(parity().path("results").path("match").asLong()).as("not compared yet: the copy is still waiting").isZero();
        gate.countDown();
        JsonNode p = awaitResult("match", 1);
        assertThat(p.path("match_rate").asDouble()).as("latency_ms ignored, hits unordered").isEqualTo(1.0);
        assertThat(legacyGot).singleElement().satisfies(g -> assertThat(g).contains("POST /v1/chat {\"messages\":[]}", "shadow=1"));
        legacyGate.set(null);

        legacyAnswer.set("{\"message\":{\"content\":\"Bonjour\"},\"latency_ms\":1,\"hits\":[1,2]}");
        assertThat(send("POST", "/v1/chat", "{\"messages\":[]}", CHAT).body()).contains("Hello");
        p = awaitResult("diff", 1);
        assertThat(p.path("match_rate").asDouble()).isEqualTo(0.5);
        for (int i = 0; i < 100 && journaled.isEmpty(); i++) {
            Thread.sleep(20);
        }
        for (int i = 0; i < 100 && journaled("cutover.diff").isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertThat(journaled("cutover.diff")).singleElement().satisfies(j -> assertThat(j).contains("\"type\":\"cutover.diff\"", "\"route\":\"/v1/chat\"",
                "\"served_status\":200", "\"shadow_status\":200", "$.message.content", "Hello", "Bonjour", "\"request_id\""));
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("gateway_shadow_requests_total{daemon=\"gateway\",result=\"diff\",route=\"/v1/chat\"} 1.0",
                "gateway_shadow_requests_total{daemon=\"gateway\",result=\"match\",route=\"/v1/chat\"} 1.0");
    }

    @Test
    void aLegacyStackThatIsDown_leavesTheCallerUnaffected_andIsSaidAsShadowUnavailable() throws Exception {
        write("{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"http://127.0.0.1:9\","
                + "\"shadow_paid\":true}]}");
        assertThat(send("POST", "/admin/routes/reload", null, ADMIN).statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(send("POST", "/v1/chat", "{}", CHAT).statusCode()).isEqualTo(200);
        }
        assertThat(awaitResult("shadow_unavailable", 3).has("match_rate")).as("nothing compared: no rate").isFalse();
        for (int i = 0; i < 100 && journaled("cutover.diff").size() < 3; i++) {
            Thread.sleep(20);
        }
        assertThat(journaled("cutover.diff").get(0)).contains("shadow_unavailable", "peer_unavailable");
    }

    @Test
    void aRouteServedByLegacy_isForwardedThere_andItsShadowComesHome() throws Exception {
        write("{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"" + url(legacy) + "\",\"mode\":\"shadow\",\"sample\":1,"
                + "\"shadow_paid\":true,\"normalize\":{\"unordered\":[\"hits\"]}}]}");
        assertThat(send("POST", "/admin/routes/reload", null, ADMIN).statusCode()).isEqualTo(200);
        HttpResponse<String> r = send("POST", "/v1/chat", "{}", CHAT);
        assertThat(r.body()).contains("99.0");   // legacy's answer
        assertThat(awaitResult("match", 1).path("requests").asLong()).isEqualTo(1);
        write("{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"" + url(legacy) + "\",\"mode\":\"serve\"}]}");
        send("POST", "/admin/routes/reload", null, ADMIN);
        assertThat(send("POST", "/v1/chat", "{}", CHAT).body()).contains("99.0");
        write("{\"routes\":[]}");
        send("POST", "/admin/routes/reload", null, ADMIN);
        assertThat(send("POST", "/v1/chat", "{}", CHAT).body()).as("back home").contains("12.5");
    }

    @Test
    void aShadowedWriteRoute_copiesOnlyWhatReads_unlessItOptsIn_andChatOnlyWhenPaidIsSaid() throws Exception {
        // the route shadows, but says nothing of writes: the bad input of docs/cutover.md's side-effect rules
        write("{\"routes\":[{\"prefix\":\"/v1/memory\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"" + url(legacy)
                + "\",\"normalize\":{\"unordered\":[\"hits\"]}},"
                + "{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"" + url(legacy) + "\"}]}");
        assertThat(send("POST", "/admin/routes/reload", null, ADMIN).statusCode()).isEqualTo(200);
        String[][] calls = {{"POST", "/v1/memory"}, {"PUT", "/v1/memory/m1"}, {"DELETE", "/v1/memory/m1"}, {"PATCH", "/v1/memory/m1"},
                {"POST", "/v1/memory/m1/supersede"}, {"POST", "/v1/memory/search"}, {"GET", "/v1/memory/m1"}, {"POST", "/v1/chat"},
                {"POST", "/v1/chat/completions"}};
        for (String[] c : calls) {
            assertThat(send(c[0], c[1], c[0].equals("GET") || c[0].equals("DELETE") ? null : "{}", CHAT).statusCode()).as(c[1]).isEqualTo(200);
        }
        Thread.sleep(300);
        JsonNode memory = awaitResult("/v1/memory", "match", 2);
        assertThat(memory.path("results").path("write_not_shadowed").asLong()).isEqualTo(5);
        JsonNode chat = awaitResult("/v1/chat", "paid_not_shadowed", 2);
        assertThat(chat.path("results").path("match").asLong() + chat.path("results").path("diff").asLong()).isZero();
        Thread.sleep(200);
        assertThat(legacyGot).as("only the search and the read reached the other stack").hasSize(2)
                .anySatisfy(g -> assertThat(g).startsWith("POST /v1/memory/search"))
                .anySatisfy(g -> assertThat(g).startsWith("GET /v1/memory/m1"));

        legacyGot.clear();
        write("{\"routes\":[{\"prefix\":\"/v1/memory\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"" + url(legacy)
                + "\",\"shadow_writes\":true,\"normalize\":{\"unordered\":[\"hits\"]}}]}");
        assertThat(send("POST", "/admin/routes/reload", null, ADMIN).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/memory", "{}", CHAT).statusCode()).isEqualTo(200);
        awaitResult("/v1/memory", "match", 1);
        assertThat(legacyGot).as("opted in: the write is copied").singleElement().satisfies(g -> assertThat(g).startsWith("POST /v1/memory"));

        for (String bad : new String[]{"\"yes\"", "1", "[]", "{}"}) {
            write("{\"routes\":[{\"prefix\":\"/v1/memory\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"" + url(legacy)
                    + "\",\"shadow_writes\":" + bad + "}]}");
            assertProblem(send("POST", "/admin/routes/reload", null, ADMIN), 400, null, "shadow_writes");
        }
    }

    List<String> journaled(String type) {
        return journaled.stream().filter(j -> j.contains("\"type\":\"" + type + "\"")).toList();
    }

    String version() throws Exception {
        return Json.mapper().readTree(send("GET", "/admin/routes", null, ADMIN).body()).path("version").asText();
    }

    String put(String expect, String type, String routesJson) {
        return "{\"routes\":" + routesJson + (expect == null ? "" : ",\"expect_version\":\"" + expect + "\"")
                + ",\"change\":{\"type\":\"" + type + "\",\"operator\":\"alice@ops\",\"data\":{\"route\":\"/v1/chat\"}}}";
    }

    @Test
    void everyChangeIsJournaled_whoWhatHow_andWithJournaldDown_itIsRefused_untilForced_thenJournaledWhenItAnswers() throws Exception {
        assertThat(journaled("cutover.reload")).as("the table found at start").singleElement()
                .satisfies(j -> assertThat(j).contains("\"via\":\"start\"", "\"replica\":\"gw-test\""));
        String v0 = version();
        String serveLegacy = "[{\"prefix\":\"/v1/chat\",\"target\":\"" + url(legacy) + "\",\"mode\":\"serve\"}]";
        HttpResponse<String> r = send("PUT", "/admin/routes", put(v0, "cutover.rollback", serveLegacy), ADMIN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String v1 = version();
        assertThat(v1).isNotEqualTo(v0);
        assertThat(Files.readString(routes)).as("written where every replica reads it").contains(url(legacy), "\"serve\"");
        assertThat(journaled("cutover.rollback")).singleElement().satisfies(j -> assertThat(j).contains("\"actor\":\"admin\"",
                "\"operator\":\"alice@ops\"", "\"via\":\"admin-put\"", "\"before_version\":\"" + v0, "\"after_version\":\"" + v1,
                "\"table_before\"", "\"table_after\""));

        // two operators who read v0: the second is refused, naming the version there is now
        assertProblem(send("PUT", "/admin/routes", put(v0, "cutover.switch", "[]"), ADMIN), 409, "table_changed", v1);
        assertThat(version()).isEqualTo(v1);

        journaldDown.set(true);
        int before = journaled.size();
        assertProblem(send("PUT", "/admin/routes", put(v1, "cutover.switch", "[]"), ADMIN), 503, "journal_unavailable", "force");
        assertThat(version()).as("refused: the table in force stays").isEqualTo(v1);
        assertThat(Files.readString(routes)).contains(url(legacy));
        r = send("PUT", "/admin/routes?force=true", put(v1, "cutover.switch", "[]"), ADMIN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"spooled\":true");
        String v2 = version();
        assertThat(v2).isNotEqualTo(v1);
        assertThat(Json.mapper().readTree(send("GET", "/admin/routes", null, ADMIN).body()).path("pending_journal").asInt()).isEqualTo(1);
        assertThat(send("POST", "/v1/chat", "{}", CHAT).body()).as("in force").contains("12.5");
        // an unforced change behind a waiting forced one would overtake it: refused too
        assertProblem(send("PUT", "/admin/routes", put(v2, "cutover.edit", serveLegacy), ADMIN), 503, "journal_unavailable", "waiting");
        assertThat(journaled.size()).isEqualTo(before);

        journaldDown.set(false);
        for (int i = 0; i < 200 && journaled("cutover.switch").isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertThat(journaled("cutover.switch")).singleElement().satisfies(j -> assertThat(j).contains("\"forced\":true",
                "\"after_version\":\"" + v2));
        assertThat(Json.mapper().readTree(send("GET", "/admin/routes", null, ADMIN).body()).path("pending_journal").asInt()).isZero();

        // bad bodies
        assertProblem(send("PUT", "/admin/routes", "{\"routes\":{}}", ADMIN), 400, null, "routes");
        assertProblem(send("PUT", "/admin/routes", "null", ADMIN), 400, null, "body");
        assertProblem(send("PUT", "/admin/routes", put(null, "cutover.drop", "[]"), ADMIN), 400, null, "change.type");
        assertProblem(send("PUT", "/admin/routes?force=maybe", put(null, "cutover.edit", "[]"), ADMIN), 400, "invalid_query", "force");
        assertProblem(send("PUT", "/admin/routes", put(null, "cutover.edit", "[{\"prefix\":\"/v1/chat\",\"target\":\"ftp://x\"}]"),
                ADMIN), 400, null, "ftp://x");
        assertProblem(send("PUT", "/admin/routes", put(null, "cutover.edit", "[]"), CHAT), 403, "forbidden_scope", "admin");
        assertThat(version()).isEqualTo(v2);
    }

    @Test
    void anEditedFile_isAppliedByTheWatcher_onlyOnceJournaled_andABadOneIsRefused() throws Exception {
        String v0 = version();
        journaldDown.set(true);
        write("{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"" + url(legacy) + "\",\"mode\":\"serve\"}]}");
        Thread.sleep(1000);
        assertThat(version()).as("journald cannot take it: not applied").isEqualTo(v0);
        journaldDown.set(false);
        for (int i = 0; i < 100 && version().equals(v0); i++) {
            Thread.sleep(50);
        }
        assertThat(version()).isNotEqualTo(v0);
        assertThat(journaled("cutover.reload")).anySatisfy(j -> assertThat(j).contains("\"via\":\"file-watch\"", "\"actor\":\"file:"));
        String v1 = version();
        write("{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"gopher://x\"}]}");
        Thread.sleep(800);
        assertThat(version()).as("a bad file is refused by the watcher too").isEqualTo(v1);
    }

    @Test
    void differences_areJournaledAsSamplesWithCounts() throws Exception {
        legacyAnswer.set("{\"message\":{\"content\":\"Bonjour\"},\"latency_ms\":1,\"hits\":[1,2]}");
        for (int i = 0; i < 12; i++) {
            assertThat(send("POST", "/v1/chat", "{}", CHAT).statusCode()).isEqualTo(200);
        }
        awaitResult("diff", 12);
        for (int i = 0; i < 100 && journaled("cutover.diff.summary").isEmpty(); i++) {
            Thread.sleep(50);
        }
        for (int i = 0; i < 100 && summed("diffs") < 12; i++) {   // the requests may have spanned two windows
            Thread.sleep(50);
        }
        assertThat(String.join("\n", journaled("cutover.diff.summary"))).contains("\"route\":\"/v1/chat\"");
        assertThat(summed("diffs")).isEqualTo(12);
        assertThat(journaled("cutover.diff")).as("the first 3 of each window in full").hasSize((int) summed("journaled"))
                .hasSizeLessThanOrEqualTo(3 * journaled("cutover.diff.summary").size());
        assertThat(summed("not_journaled")).isEqualTo(12 - journaled("cutover.diff").size()).isPositive();
    }

    long summed(String field) throws Exception {
        long n = 0;
        for (String j : journaled("cutover.diff.summary")) {
            n += Json.mapper().readTree(j).path("data").path(field).asLong();
        }
        return n;
    }

    JsonNode awaitResult(String route, String result, long n) throws Exception {
        JsonNode p = null;
        for (int i = 0; i < 200; i++) {
            p = Json.mapper().readTree(send("GET", "/admin/parity?route=" + route, null, ADMIN).body()).path("routes").get(0);
            if (p.path("results").path(result).asLong() >= n) {
                return p;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no " + n + " " + result + " in " + p + "; journaled " + journaled);
    }

    @Test
    void aBadRoutesFile_isRefusedWithTheReason_andTheTableInForceStays() throws Exception {
        String version = Json.mapper().readTree(send("GET", "/admin/routes", null, ADMIN).body()).path("version").asText();
        String[][] bad = {
                {"{\"routes\":[", "malformed JSON"},
                {"{\"routes\":[{\"prefix\":\"/v1/nope\",\"target\":\"local\"}]}", "/v1/nope"},
                {"{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"ftp://old:21\"}]}", "ftp://old:21"},
                {"{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"shadow\",\"legacy\":\"" + url(legacy)
                        + "\",\"sample\":1.5}]}", "sample"},
                {"{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"shadow\"}]}", "legacy"},
                {"{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\"},{\"prefix\":\"/v1/chat\",\"target\":\"local\"}]}", "twice"},
                {"{\"routes\":[null]}", "null"},
                {"{\"routes\":\"all\"}", "routes"},
                {"null", "routes"},
                {"{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"mirror\"}]}", "mode"}};
        for (String[] b : bad) {
            write(b[0]);
            assertProblem(send("POST", "/admin/routes/reload", null, ADMIN), 400, null, b[1]);
            assertThat(Json.mapper().readTree(send("GET", "/admin/routes", null, ADMIN).body()).path("version").asText()).isEqualTo(version);
        }
        Files.delete(routes);
        assertProblem(send("POST", "/admin/routes/reload", null, ADMIN), 400, "routes_file_unreadable", "routes.json");
        assertProblem(send("POST", "/admin/routes/reload", null, CHAT), 403, "forbidden_scope", "admin");
        assertProblem(send("GET", "/admin/parity", null, CHAT), 403, "forbidden_scope", "admin");
        assertProblem(send("GET", "/admin/parity?route=/v1/embed", null, ADMIN), 404, "route_not_in_table", "/v1/embed");
        assertProblem(send("DELETE", "/admin/routes", null, ADMIN), 405, "method_not_allowed", "GET");
    }
}
