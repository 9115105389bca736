package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.PrometheusText;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.KitDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The kit over real HTTP in a real process: every bad input of the foundation issue, request ids, logs, metrics. */
class KitProcessIT {
    static Stack stack;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        stack = Stack.builder().testDaemon("kitd", KitDaemon.class, Map.of()).start();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(stack.url("kitd").resolve(path));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Stream<Arguments> badInputs() {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        String oversized = "{\"things\":[" + "{\"id\":\"x\",\"vector\":[1,2,3],\"count\":1},".repeat(3000) + "]}";
        return Stream.of(
                Arguments.of("malformed JSON", "POST", "/v1/things", "{\"things\":[{", json, 400, "invalid_json"),
                Arguments.of("wrong field type", "POST", "/v1/things", "{\"things\":[{\"id\":\"a\",\"vector\":\"v\",\"count\":1}]}", json, 400, "invalid_field"),
                Arguments.of("missing field", "POST", "/v1/things", "{\"things\":[{\"vector\":[1],\"count\":1}]}", json, 400, "missing_field"),
                Arguments.of("trailing garbage", "POST", "/v1/things", "{\"things\":[{\"id\":\"a\",\"vector\":[1],\"count\":1}]}xyz", json, 400, "invalid_json"),
                Arguments.of("NaN", "POST", "/v1/things", "{\"things\":[{\"id\":\"a\",\"vector\":[NaN],\"count\":1}]}", json, 400, "invalid_json"),
                Arguments.of("Infinity", "POST", "/v1/things", "{\"things\":[{\"id\":\"a\",\"vector\":[-Infinity],\"count\":1}]}", json, 400, "invalid_json"),
                Arguments.of("overflow to infinity", "POST", "/v1/things", "{\"things\":[{\"id\":\"a\",\"vector\":[3e40],\"count\":1}]}", json, 400, "invalid_field"),
                Arguments.of("oversized body", "POST", "/v1/things", oversized, json, 413, "payload_too_large"),
                Arguments.of("unknown route", "GET", "/v1/nope", null, Map.of(), 404, "not_found"),
                Arguments.of("wrong method", "DELETE", "/v1/things", null, Map.of(), 405, "method_not_allowed"),
                Arguments.of("unsupported media type", "POST", "/v1/things", "<things/>", Map.of("Content-Type", "application/xml"), 415, "unsupported_media_type"),
                Arguments.of("missing resource", "GET", "/v1/things/ghost", null, Map.of(), 404, "no_such_thing"));
    }

    @ParameterizedTest(name = "{0} -> {5} {6}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String what, String method, String path, String body, Map<String, String> headers,
                                int status, String code) throws Exception {
        HttpResponse<String> r = send(method, path, body, headers);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = Json.mapper().readTree(r.body());
        assertThat(p.path("code").asText()).isEqualTo(code);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("daemon").asText()).isEqualTo("kitd");
        assertThat(p.path("detail").asText()).isNotBlank();
        assertThat(p.path("request_id").asText()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(stack.daemon("kitd").isAlive()).isTrue();
    }

    @Test
    void oversizedHeader_isRejectedAsProblem() throws Exception {
        HttpResponse<String> r = send("GET", "/health", null, Map.of("X-Big", "a".repeat(20_000)));
        assertThat(r.statusCode()).isIn(400, 431);
        assertThat(Json.mapper().readTree(r.body()).path("daemon").asText()).isEqualTo("kitd");
        assertThat(send("GET", "/health", null, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void requestId_roundTrips_andIsLogged() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/things", "{\"things\":[{\"id\":\"a\",\"vector\":[1],\"count\":1}]}",
                Map.of("Content-Type", "application/json", "X-Request-Id", "it-rid-0001"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Request-Id")).hasValue("it-rid-0001");
        JsonNode line = accessLine("it-rid-0001");
        assertThat(line.path("method").asText()).isEqualTo("POST");
        assertThat(line.path("path").asText()).isEqualTo("/v1/things");
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("daemon").asText()).isEqualTo("kitd");
        assertThat(line.has("ms")).isTrue();
    }

    @Test
    void logs_neverShowSsnLikeStrings() throws Exception {
        send("GET", "/v1/things/123-45-6789", null, Map.of("X-Request-Id", "it-rid-ssn"));
        JsonNode line = accessLine("it-rid-ssn");
        assertThat(line.path("path").asText()).doesNotContain("123-45-6789");
    }

    @Test
    void metrics_areValidPrometheusText_withRouteTemplates() throws Exception {
        send("GET", "/v1/things/one", null, Map.of());
        HttpResponse<String> r = send("GET", "/metrics", null, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> samples = PrometheusText.parse(r.body());
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("http_server_requests_seconds_count{")
                && k.contains("route=\"/v1/things/{id}\""));
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
        assertThat(samples.keySet()).noneMatch(k -> k.contains("route=\"/v1/things/one\""));
    }

    private static JsonNode accessLine(String requestId) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : stack.daemon("kitd").logLines()) {
                if (line.contains("\"" + requestId + "\"") && line.contains("lakehouse.access")) {
                    return Json.mapper().readTree(line);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no access line for " + requestId + " in\n" + stack.daemon("kitd").logTail());
    }
}
