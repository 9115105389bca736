package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.testing.TestHttp;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The kit in-process: one server on a free port, every failure path asserted by status and code. */
class KitServerTest {
    static DaemonServer server;
    static final AtomicBoolean READY = new AtomicBoolean(true);
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    record Item(String id, float[] vector, int count, Map<String, Object> payload) {
        Item {
            FieldError.required(id, "id");
            FieldError.required(vector, "vector");
            FieldError.check(count >= 0, "count", "must be >= 0");
        }
    }

    record Batch(List<Item> items) {
        Batch {
            FieldError.required(items, "items");
        }
    }

    /** A small API like a daemon's: POST /v1/items, GET /v1/items/{id}, and failures on demand. */
    static final class ItemRoutes implements HttpService {
        @Override
        public void routing(HttpRules rules) {
            rules.post("/", (req, res) -> {
                Batch b = Json.read(req, Batch.class);
                Json.send(res, 200, Map.of("accepted", b.items().size()));
            });
            Routes.allow(rules, "/", Method.POST);
            rules.get("/{id}", (req, res) -> {
                String id = req.path().pathParameters().get("id");
                switch (id) {
                    case "boom" -> throw new IllegalStateException("secret internals");
                    case "taken" -> throw new ApiException.Conflict("exists", "item taken exists");
                    default -> Json.send(res, 200, Map.of("id", id));
                }
            });
            Routes.allow(rules, "/{id}", Method.GET);
        }
    }

    @BeforeAll
    static void start() {
        server = DaemonServer.builder("kittest", EnvConfig.of(Map.of(
                        "LAKEHOUSE_KITTEST_PORT", "0", "KITTEST_MAX_BODY_BYTES", "4096")), 0)
                .embedded()
                .readiness("thing", () -> READY.get() ? Readiness.up() : Readiness.down("loading"))
                .routing(r -> r.register("/v1/items", new ItemRoutes()))
                .start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static HttpResponse<String> send(String method, String path, String body, String contentType) throws Exception {
        return new TestHttp(server::port).send(method, path, body, contentType);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestHttp.json(r);
    }

    static Stream<Arguments> badInputs() {
        String big = "{\"items\":[" + "{\"id\":\"x\",\"vector\":[1],\"count\":1},".repeat(200) + "]}";
        return Stream.of(
                Arguments.of("POST", "/v1/items", "{\"items\":[", "application/json", 400, "invalid_json", "malformed JSON"),
                Arguments.of("POST", "/v1/items", "", "application/json", 400, "invalid_json", "empty"),
                Arguments.of("POST", "/v1/items", "{\"items\":[]} trailing", "application/json", 400, "invalid_json", "'trailing'"),
                Arguments.of("POST", "/v1/items", "{\"items\":[]} {}", "application/json", 400, "invalid_json", "after the JSON"),
                Arguments.of("POST", "/v1/items", "{\"items\":\"no\"}", "application/json", 400, "invalid_field", "items"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":\"a\",\"vector\":[1,\"x\"],\"count\":1}]}",
                        "application/json", 400, "invalid_field", "items[0].vector[1]"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":7,\"vector\":[1],\"count\":1}]}",
                        "application/json", 400, "invalid_field", "items[0].id"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":\"a\",\"vector\":[1],\"count\":\"3\"}]}",
                        "application/json", 400, "invalid_field", "items[0].count"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"vector\":[1],\"count\":1}]}",
                        "application/json", 400, "missing_field", "items[0].id: is required"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":\"a\",\"vector\":[1],\"count\":-1}]}",
                        "application/json", 400, "invalid_field", "items[0].count: must be >= 0"),
                Arguments.of("POST", "/v1/items", "{}", "application/json", 400, "missing_field", "items: is required"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":\"a\",\"vector\":[NaN],\"count\":1}]}",
                        "application/json", 400, "invalid_json", "NaN"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":\"a\",\"vector\":[1, 1e999],\"count\":1}]}",
                        "application/json", 400, "invalid_field", "items[0].vector[1]: 1e999 is not a finite"),
                Arguments.of("POST", "/v1/items", "{\"items\":[{\"id\":\"a\",\"vector\":[Infinity],\"count\":1}]}",
                        "application/json", 400, "invalid_json", "Infinity"),
                Arguments.of("POST", "/v1/items", "{\"items\":[],\"extra\":1}", "application/json", 400, "unknown_field", "extra"),
                Arguments.of("POST", "/v1/items", "{\"items\":[],\"items\":[]}", "application/json", 400, "invalid_json", "Duplicate"),
                Arguments.of("POST", "/v1/items", "{\"items\":[]}", "text/plain", 415, "unsupported_media_type", "text/plain"),
                Arguments.of("POST", "/v1/items", "items=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "application/json"),
                Arguments.of("POST", "/v1/items", big, "application/json", 413, "payload_too_large", "4096 bytes"),
                Arguments.of("GET", "/v1/nothing", null, null, 404, "not_found", "no route for GET /v1/nothing"),
                Arguments.of("DELETE", "/v1/items/abc", null, null, 405, "method_not_allowed", "allowed: GET"),
                Arguments.of("GET", "/v1/items", null, null, 405, "method_not_allowed", "allowed: POST"),
                Arguments.of("POST", "/health", "{}", "application/json", 405, "method_not_allowed", "allowed: GET"),
                Arguments.of("GET", "/v1/items/taken", null, null, 409, "exists", "item taken exists"),
                Arguments.of("GET", "/v1/items/boom", null, null, 500, "internal", "see the kittest log"));
    }

    @ParameterizedTest(name = "{0} {1} {3} -> {4} {5}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, String type, int status, String code,
                                String detailPart) throws Exception {
        HttpResponse<String> r = send(method, path, body, type);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problem.MEDIA_TYPE);
        JsonNode p = json(r);
        assertThat(p.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("type").asText()).isEqualTo("about:blank");
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("daemon").asText()).isEqualTo("kittest");
        assertThat(p.path("request_id").asText()).isNotBlank()
                .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(p.path("detail").asText()).contains(detailPart);
        assertThat(r.body()).doesNotContain("secret internals").doesNotContain("at dev.lakehouse");
    }

    @Test
    void methodNotAllowed_hasAllowHeader() throws Exception {
        HttpResponse<String> r = send("PUT", "/v1/items/x", "{}", "application/json");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void goodRequest_isAccepted() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/items",
                "{\"items\":[{\"id\":\"a\",\"vector\":[0.5,-1e-3],\"count\":2,\"payload\":{\"role\":\"x\"}}]}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("accepted").asInt()).isEqualTo(1);
    }

    @Test
    void requestId_isEchoedOrGenerated() throws Exception {
        HttpRequest withId = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .header("X-Request-Id", "abc-123").build();
        assertThat(CLIENT.send(withId, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-Request-Id"))
                .hasValue("abc-123");
        HttpRequest hostile = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .header("X-Request-Id", "bad id\u00e9").build();
        assertThat(CLIENT.send(hostile, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-Request-Id").orElseThrow())
                .matches("[0-9a-f]{32}");
        assertThat(send("GET", "/health", null, null).headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
    }

    @Test
    void health_and_ready() throws Exception {
        JsonNode h = json(send("GET", "/health", null, null));
        assertThat(h.path("status").asText()).isEqualTo("UP");
        assertThat(h.path("daemon").asText()).isEqualTo("kittest");
        assertThat(h.has("version")).isTrue();
        assertThat(h.path("uptime_s").isIntegralNumber()).isTrue();
        // the resident set, as /proc/self/statm has it (this JVM's own, in pages): tens of MiB at least
        assertThat(h.path("rss_bytes").asLong()).isGreaterThan(16L << 20).isEqualTo(h.path("rss_bytes").asLong() / 4096 * 4096);

        assertThat(send("GET", "/ready", null, null).statusCode()).isEqualTo(200);
        READY.set(false);
        try {
            HttpResponse<String> r = send("GET", "/ready", null, null);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).path("status").asText()).isEqualTo("DOWN");
            assertThat(json(r).path("checks").path("thing").asText()).isEqualTo("loading");
        } finally {
            READY.set(true);
        }
    }

    @Test
    void metrics_useRouteTemplates() throws Exception {
        send("GET", "/v1/items/one", null, null);
        send("GET", "/v1/items/two", null, null);
        HttpResponse<String> r = send("GET", "/metrics", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(r.body())
                .contains("http_server_requests_seconds_count{daemon=\"kittest\",method=\"GET\",route=\"/v1/items/{id}\",status=\"200\"}")
                .doesNotContain("route=\"/v1/items/one\"")
                .contains("jvm_memory_used_bytes")
                .contains("jvm_threads_live_threads")
                .contains("jvm_gc_");
    }

    @Test
    void afterStart_runsOnceListening_andAFailingHookStopsTheServer() throws Exception {
        java.util.List<Integer> seenPort = new java.util.ArrayList<>();
        DaemonServer[] holder = new DaemonServer[1];
        DaemonServer ok = DaemonServer.builder("hooktest", EnvConfig.of(Map.of("LAKEHOUSE_HOOKTEST_PORT", "0")), 0)
                .embedded()
                .afterStart("probe", () -> seenPort.add(1))
                .start();
        assertThat(seenPort).containsExactly(1);
        ok.stop();

        AtomicBoolean stopped = new AtomicBoolean();
        Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> holder[0] =
                DaemonServer.builder("hooktest", EnvConfig.of(Map.of("LAKEHOUSE_HOOKTEST_PORT", "0")), 0)
                        .embedded()
                        .onStop("flag", () -> stopped.set(true))
                        .afterStart("load", () -> {
                            throw new IllegalStateException("corrupt state");
                        })
                        .start());
        assertThat(failed).isInstanceOf(IllegalStateException.class).hasMessage("corrupt state");
        assertThat(holder[0]).isNull();
        assertThat(stopped).as("the stop hooks ran: the half-started daemon was stopped").isTrue();
    }

    @Test
    void aPortInUse_failsTheStartNamingTheAddress_andRunsNoAfterStartHook() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicBoolean loaded = new AtomicBoolean();
            String port = Integer.toString(taken.getLocalPort());
            Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() ->
                    DaemonServer.builder("bindtest", EnvConfig.of(Map.of("LAKEHOUSE_BINDTEST_PORT", port,
                                    "LAKEHOUSE_BIND", "127.0.0.1")), 0)
                            .embedded()
                            .onStop("flag", () -> stopped.set(true))
                            .afterStart("load", () -> loaded.set(true))
                            .start());
            assertThat(failed).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("bindtest could not listen on 127.0.0.1:" + port);
            assertThat(loaded).as("no hook runs for a daemon that is not listening").isFalse();
            assertThat(stopped).as("what the builder opened is closed again").isTrue();
            assertThat(taken.isBound()).isTrue();
        }
    }
}
