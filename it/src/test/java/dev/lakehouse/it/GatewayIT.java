package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway as a process in front of a real embedd and a test upstream standing
 * in for chatd: routing and pass-through, streaming, keys and scopes, rate
 * limits, limits on bad input, and failing fast when a daemon is hung or killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayIT {
    static final String ADMIN = "admin-key-0123456789abcdef";
    static final String EMBED_ONLY = "embed-key-0123456789abcdef";
    static final String RATE = "rate-key-0123456789abcdef0";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static Stack stack;
    static URI gateway;

    @BeforeAll
    static void start() throws Exception {
        Path keys = Files.createTempFile("lakehouse-keys", ".txt");
        Files.writeString(keys, "# test keys\nadmin:" + ADMIN + "\nembedder:" + EMBED_ONLY + ":embed\nrater:" + RATE + ":chat\n");
        stack = Stack.builder()
                .daemon(DaemonId.EMBEDD, Map.of("EMBEDD_OLLAMA_URL", "off"))
                .testDaemon("chatd", TestUpstream.class, Map.of())
                .daemon(DaemonId.GATEWAY, Map.of("LAKEHOUSE_API_KEYS_FILE", keys.toString(), "GATEWAY_RATE_PER_KEY", "50",
                        "GATEWAY_RATE_BURST", "60", "GATEWAY_TIMEOUT", "10s", "GATEWAY_TIMEOUT_CHAT", "2s",
                        "GATEWAY_BREAKER_OPEN", "500ms", "GATEWAY_MAX_BODY_BYTES", "1m"))
                .start();
        gateway = stack.url("gateway");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static HttpResponse<String> call(String method, String path, String body, String key, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(20));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    @Order(1)
    void routesToEmbedd_bodiesAndStatusesPassThrough() throws Exception {
        HttpResponse<String> ok = call("POST", "/v1/embed", "{\"input\":\"forklift operator\"}", ADMIN, Map.of("X-Request-Id", "gw-it-1"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).path("dims").asInt()).isEqualTo(384);
        assertThat(ok.headers().firstValue("X-Request-Id")).hasValue("gw-it-1");
        HttpResponse<String> bad = call("POST", "/v1/embed", "{\"input\":\"\"}", ADMIN, Map.of());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("daemon").asText()).as("embedd's own problem, unchanged").isEqualTo("embedd");
        HttpResponse<String> models = call("GET", "/v1/models", null, ADMIN, Map.of());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(json(models).path("data").findValuesAsText("id")).contains("all-minilm-l6-v2");
    }

    @Test
    @Order(2)
    void requestPassesThroughUnchanged_lessHopByHopAndTheKey() throws Exception {
        HttpResponse<String> r = call("POST", "/v1/chat/echo?a=1&b=two%20words", "{\"hello\":\"world\"}", ADMIN,
                Map.of("X-Custom", "kept", "X-Request-Id", "gw-it-echo"));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Upstream")).hasValue("yes");
        JsonNode seen = json(r);
        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("path").asText()).isEqualTo("/v1/chat/echo");
        assertThat(seen.path("query").asText()).contains("a=1").contains("b=two");
        assertThat(seen.path("body").asText()).isEqualTo("{\"hello\":\"world\"}");
        JsonNode headers = seen.path("headers");
        assertThat(headers.path("x-custom").asText()).isEqualTo("kept");
        assertThat(headers.path("x-request-id").asText()).isEqualTo("gw-it-echo");
        assertThat(headers.path("x-lakehouse-caller").asText()).isEqualTo("admin");
        assertThat(headers.has("authorization")).as("the API key stays at the gateway").isFalse();
    }

    @Test
    @Order(3)
    void serverSentEvents_arriveBeforeTheUpstreamFinishes() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(gateway.resolve("/v1/chat/stream")).header("Authorization", "Bearer " + ADMIN).build();
        HttpResponse<InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("data: one");
            assertThat(json(call("GET", "/v1/chat/state", null, ADMIN, Map.of())).path("stream").asText())
                    .as("the first event came through while the upstream was still holding the stream").isEqualTo("holding");
            call("POST", "/v1/chat/release", "{}", ADMIN, Map.of());
            assertThat(lines.readLine()).isEmpty();
            assertThat(lines.readLine()).isEqualTo("data: two");
        }
    }

    @Test
    @Order(4)
    void largeBodies_streamBothWays() throws Exception {
        String big = "{\"pad\":\"" + "y".repeat(600 * 1024) + "\"}";
        HttpResponse<String> counted = call("POST", "/v1/chat/count", big, ADMIN, Map.of());
        assertThat(json(counted).path("bytes").asLong()).isEqualTo(big.length());
        HttpResponse<String> download = call("GET", "/v1/chat/big?kb=3072", null, ADMIN, Map.of());
        assertThat(download.body()).hasSize(3072 * 1024);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no header||401|missing_api_key",
            "not bearer|Basic YWxhZGRpbjpvcGVuc2VzYW1l|401|malformed_authorization",
            "empty bearer|Bearer |401|malformed_authorization",
            "unknown key|Bearer not-a-key-0123456789|401|invalid_api_key"})
    @Order(5)
    void missingOrBadKeys_are401(String what, String authorization, int status, String code) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.resolve("/v1/chat/received"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(json(r).path("code").asText()).isEqualTo(code);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(r.body()).doesNotContain("not-a-key");
    }

    @Test
    @Order(6)
    void scopes_areEnforced_andKitPathsNeedNoKey() throws Exception {
        assertThat(call("POST", "/v1/embed", "{\"input\":\"x\"}", EMBED_ONLY, Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = call("GET", "/v1/chat/received", null, EMBED_ONLY, Map.of());
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).path("code").asText()).isEqualTo("forbidden_scope");
        assertThat(json(forbidden).path("detail").asText()).contains("embedder").contains("chat");
        for (String kit : List.of("/health", "/ready", "/metrics")) {
            assertThat(call("GET", kit, null, null, Map.of()).statusCode()).as(kit).isEqualTo(200);
        }
        assertThat(stack.daemon("gateway").logLines()).noneMatch(l -> l.contains(ADMIN) || l.contains(EMBED_ONLY));
    }

    @Test
    @Order(7)
    void overTheRateLimit_is429WithRetryAfter() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 150; i++) {   // far over the burst of 60, faster than 50/s refills it
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return call("GET", "/v1/chat/state", null, RATE, Map.of());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        String retryAfter = null;
        for (var c : calls) {
            HttpResponse<String> r = c.get();
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) {
                retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                assertThat(json(r).path("code").asText()).isEqualTo("rate_limited");
            }
        }
        assertThat(statuses).contains(200, 429);
        assertThat(retryAfter).isNotNull().matches("\\d+");
        assertThat(call("GET", "/v1/chat/state", null, ADMIN, Map.of()).statusCode()).as("other keys are not limited").isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/v1/../admin,404", "/v1/embed/../chat/echo,400", "/v1/embed%2F..%2Fchat%2Fecho,400", "/v1//chat/echo,400",
            "/v2/embed,404", "/admin,404", "/v1/nothing,404"})
    @Order(8)
    void pathsOutsideRoutes_orTraversals_neverReachADaemon(String path, int status) throws Exception {
        int before = json(call("GET", "/v1/chat/received", null, ADMIN, Map.of())).path("requests").asInt();
        HttpRequest req = HttpRequest.newBuilder(URI.create(gateway + path)).header("Authorization", "Bearer " + ADMIN)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r).path("daemon").asText()).isEqualTo("gateway");
        assertThat(json(call("GET", "/v1/chat/received", null, ADMIN, Map.of())).path("requests").asInt()).isEqualTo(before);
    }

    @Test
    @Order(9)
    void oversizedBody_is413AtTheGateway_andNeverReachesTheDaemon() throws Exception {
        int before = json(call("GET", "/v1/chat/received", null, ADMIN, Map.of())).path("requests").asInt();
        HttpRequest req = HttpRequest.newBuilder(gateway.resolve("/v1/chat/count")).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("{\"pad\":\"" + "z".repeat(2 << 20) + "\"}")).build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).path("daemon").asText()).isEqualTo("gateway");
        assertThat(json(call("GET", "/v1/chat/received", null, ADMIN, Map.of())).path("requests").asInt()).isEqualTo(before);
    }

    @Test
    @Order(10)
    void oversizedHeader_isRejected() throws Exception {
        HttpResponse<String> r = call("GET", "/v1/chat/state", null, ADMIN, Map.of("X-Big", "h".repeat(20_000)));
        assertThat(r.statusCode()).isIn(400, 431);
        assertThat(json(r).path("daemon").asText()).isEqualTo("gateway");
    }

    @Test
    @Order(11)
    void hungDaemon_is504AfterItsRouteTimeout_andOtherRoutesKeepAnswering() throws Exception {
        CompletableFuture<HttpResponse<String>> hung = CompletableFuture.supplyAsync(() -> {
            try {
                return call("GET", "/v1/chat/hang", null, ADMIN, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(call("POST", "/v1/embed", "{\"input\":\"still here\"}", ADMIN, Map.of()).statusCode()).isEqualTo(200);
        assertThat(hung.isDone()).as("embed answered while chat hangs").isFalse();
        HttpResponse<String> r = hung.get();
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(json(r).path("code").asText()).isEqualTo("peer_timeout");
        assertThat(json(r).path("peer").asText()).isEqualTo("chatd");
    }

    @Test
    @Order(12)
    void killedDaemon_is503Fast_otherRoutesAnswer_andTheRouteRecoversAfterRestart() throws Exception {
        ManagedDaemon embedd = stack.daemon("embedd");
        assertThat(embedd.kill9()).isEqualTo(137);
        long start = System.nanoTime();
        HttpResponse<String> dead = call("POST", "/v1/embed", "{\"input\":\"x\"}", ADMIN, Map.of());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(dead.statusCode()).isEqualTo(503);
        assertThat(json(dead).path("peer").asText()).isEqualTo("embedd");
        assertThat(json(dead).path("detail").asText()).contains("embedd");
        System.out.println("gateway answered 503 for a killed embedd in " + ms + " ms");
        assertThat(json(dead).path("code").asText()).as("a refused connection, not a wait for the 10 s route timeout")
                .isEqualTo("peer_unavailable");
        for (int i = 0; i < 6; i++) {   // enough failures to open the breaker: still 503, now without even trying
            assertThat(call("POST", "/v1/embed", "{\"input\":\"x\"}", ADMIN, Map.of()).statusCode()).isEqualTo(503);
        }
        assertThat(call("POST", "/v1/chat/echo", "{}", ADMIN, Map.of()).statusCode()).as("another route").isEqualTo(201);
        JsonNode status = json(call("GET", "/v1/status", null, ADMIN, Map.of()));
        assertThat(status.path("status").asText()).isIn("DEGRADED", "DOWN");
        assertThat(status.path("daemons").path("embedd").path("health").asText()).isEqualTo("DOWN");

        embedd.start(Stack.READY_TIMEOUT);
        long deadline = System.currentTimeMillis() + 15_000;
        int code = 0;
        while (System.currentTimeMillis() < deadline && code != 200) {
            code = call("POST", "/v1/embed", "{\"input\":\"back again\"}", ADMIN, Map.of()).statusCode();
            Thread.sleep(100);
        }
        assertThat(code).as("the route recovers by itself").isEqualTo(200);
        assertThat(json(call("GET", "/v1/status", null, ADMIN, Map.of())).path("daemons").path("embedd").path("ready").asText())
                .isEqualTo("READY");
    }
}
