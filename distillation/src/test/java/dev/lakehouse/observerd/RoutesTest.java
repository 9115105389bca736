package dev.lakehouse.observerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** observerd and journald in-process, each wired by its own main's builder: every bad input by status and code. */
class RoutesTest {
    @TempDir
    static Path dir;
    static DaemonServer observerd;
    static DaemonServer journald;

    @BeforeAll
    static void start() {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_OBSERVERD_PORT", "0", "LAKEHOUSE_JOURNALD_PORT", "0",
                "LAKEHOUSE_DATA_DIR", dir.toString(), "JOURNALD_SEGMENT_BYTES", Integer.toString(1 << 20)));
        observerd = ObserverdMain.builder(ObserverdConfig.from(env), env).embedded().start();
        journald = dev.lakehouse.journald.EmbeddedJournald.start(env);
    }

    @AfterAll
    static void stop() {
        observerd.stop();
        journald.stop();
    }

    /** To observerd or journald, by the path. */
    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        DaemonServer to = path.startsWith("/v1/journal") ? journald : observerd;
        return new TestHttp(to::port).send(method, path, body, "application/json");
    }

    static String events(int n) {
        StringBuilder sb = new StringBuilder("{\"events\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"event_id\":\"bulk-").append(i).append("\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"k\"}");
        }
        return sb.append("]}").toString();
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"a\",\"ts\":\"2026-11-22T10:00:00Z\"}]}", 400, "missing_field", "events[0].kind"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"a\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"k\",\"payload\":[1]}]}", 400, "invalid_field", "events[0].payload"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"a\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"k\",\"payload\":\"text\"}]}", 400, "invalid_field", "events[0].payload"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"a\",\"ts\":\"22/11/2026\",\"kind\":\"k\"}]}", 400, "invalid_time", "events[0].ts"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"a\",\"ts\":\"2026-11-22T10:00:00\",\"kind\":\"k\"}]}", 400, "invalid_time", "RFC 3339"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"a\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"Bad Kind\"}]}", 400, "invalid_field", "events[0].kind"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[]}", 400, "invalid_field", "events: must not be empty"),
                Arguments.of("POST", "/v1/observe/events", events(1001), 400, "batch_too_large", "at most 1000"),
                Arguments.of("POST", "/v1/observe/events", "{\"events\":[" + "{\"event_id\":\"x\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"k\",\"payload\":{\"p\":\"" + "y".repeat(17 << 20) + "\"}}]}", 413, "payload_too_large", "16777216"),
                Arguments.of("GET", "/v1/observe/events?since=2026-11-23T00:00:00Z&until=2026-11-22T00:00:00Z", null, 400, "invalid_range", "is after until"),
                Arguments.of("GET", "/v1/observe/events?since=yesterday", null, 400, "invalid_time", "since"),
                Arguments.of("GET", "/v1/observe/events?limit=0", null, 400, "invalid_field", "limit"),
                Arguments.of("GET", "/v1/observe/events?limit=many", null, 400, "invalid_field", "limit"),
                Arguments.of("DELETE", "/v1/observe/events", null, 405, "method_not_allowed", "GET, POST"),
                Arguments.of("POST", "/v1/journal/entries", "{\"actor\":\"alice\"}", 400, "missing_field", "type"),
                Arguments.of("POST", "/v1/journal/entries", "{\"type\":\"t\"}", 400, "missing_field", "actor"),
                Arguments.of("POST", "/v1/journal/entries", "{\"type\":\"t\",\"actor\":\"a\",\"data\":5}", 400, "invalid_field", "data"),
                Arguments.of("POST", "/v1/journal/entries", "{\"type\":\"t\",\"actor\":\"a\",\"seq\":5}", 400, "unknown_field", "seq"),
                Arguments.of("GET", "/v1/journal/entries?from_seq=-1", null, 400, "invalid_field", "from_seq"),
                Arguments.of("GET", "/v1/journal/entries?limit=100000", null, 400, "invalid_field", "limit"),
                Arguments.of("PUT", "/v1/journal/verify", "{}", 405, "method_not_allowed", "GET"),
                Arguments.of("POST", "/v1/journal/erasures", "null", 400, "invalid_json", ""),
                Arguments.of("POST", "/v1/journal/erasures", "{\"identifiers\":[\"W000123\"]}", 400, "missing_field", "erasure_id"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e 1\",\"identifiers\":[\"W000123\"]}", 400,
                        "invalid_field", "erasure_id"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e1\",\"identifiers\":[]}", 400, "invalid_field", "identifiers"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e1\",\"identifiers\":\"W000123\"}", 400, "invalid_field",
                        "identifiers"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e1\",\"identifiers\":[\"W000123\",\"614\"]}", 400,
                        "invalid_field", "identifiers[1]"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e1\",\"identifiers\":[\"Ana\"]}", 400, "invalid_field",
                        "single word"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e1\",\"identifiers\":[null]}", 400, "missing_field",
                        "identifiers[0]"),
                Arguments.of("POST", "/v1/journal/erasures", "{\"erasure_id\":\"e1\",\"identifiers\":[\"a\\u0000b c\"]}", 400,
                        "invalid_field", "control"),
                Arguments.of("GET", "/v1/journal/erasures", null, 405, "method_not_allowed", "POST"));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} {4}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, int status, String code, String detail) throws Exception {
        TestHttp.assertProblem(send(method, path, body), status, code, detail);
    }

    @Test
    void postEvents_is202_andIdempotent() throws Exception {
        String body = "{\"events\":[{\"event_id\":\"r1\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"chat.call\",\"payload\":{\"x\":1}}]}";
        HttpResponse<String> first = send("POST", "/v1/observe/events", body);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(Json.mapper().readTree(first.body()).path("accepted").asInt()).isEqualTo(1);
        HttpResponse<String> again = send("POST", "/v1/observe/events", body);
        assertThat(Json.mapper().readTree(again.body()).path("duplicates").asInt()).isEqualTo(1);
        HttpResponse<String> read = send("GET", "/v1/observe/events?kind=chat.call", null);
        assertThat(read.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        assertThat(read.body().lines()).anyMatch(l -> l.contains("\"r1\""));
        assertThat(Json.mapper().readTree(send("GET", "/v1/observe/stats", null).body()).path("events").asLong()).isPositive();
    }

    @Test
    void postEntry_is201_withSeqAndHash() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/journal/entries", "{\"type\":\"cutover.switch\",\"actor\":\"ops\",\"subject\":\"/v1/chat\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.path("seq").asLong()).isPositive();
        assertThat(body.path("hash").asText()).hasSize(64);
        JsonNode verify = Json.mapper().readTree(send("GET", "/v1/journal/verify", null).body());
        assertThat(verify.path("ok").asBoolean()).isTrue();
        assertThat(verify.path("head").asText()).isEqualTo(body.path("hash").asText());
    }
}
