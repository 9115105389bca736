package dev.lakehouse.vectord;

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

/** vectord's API in-process: the happy path and every bad input of the issue, by status and code. */
class VectordServerTest {
    @TempDir
    static Path dir;
    static DaemonServer server;

    @BeforeAll
    static void start() throws Exception {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_VECTORD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString()));
        server = VectordMain.builder(VectordConfig.from(env), env).embedded().start();   // the daemon's own wiring and 64 MiB limit
        send("PUT", "/v1/indexes/t3", "{\"dims\":3,\"metric\":\"cosine\"}");
        send("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"a\",\"vector\":[1,0,0],\"payload\":{\"role\":\"welder\"}}]}");
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(server::port).send(method, path, body);
    }

    static String points(int n, int dims) {
        StringBuilder sb = new StringBuilder("{\"points\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"p").append(i).append("\",\"vector\":[");
            for (int d = 0; d < dims; d++) {
                sb.append(d == 0 ? "" : ",").append("0.5");
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1,2]}]}", 400, "wrong_dimensions", "points[0].vector"),
                Arguments.of("POST", "/v1/indexes/t3/search", "{\"vector\":[1,2,3,4]}", 400, "wrong_dimensions", "vector"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1,NaN,0]}]}", 400, "invalid_json", "NaN"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1,Infinity,0]}]}", 400, "invalid_json", "Infinity"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1,1e39,0]}]}", 400, "invalid_field", "points[0].vector[1]"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"x\",\"vector\":[0,0,0]}]}", 400, "zero_vector", "points[0].vector"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[]}", 400, "invalid_field", "points: must not be empty"),
                Arguments.of("POST", "/v1/indexes/t3/points", points(10_001, 3), 400, "batch_too_large", "10000"),
                Arguments.of("POST", "/v1/indexes/t3/points", points(50_000, 400), 413, "payload_too_large", "67108864"),
                Arguments.of("POST", "/v1/indexes/t3/search", "{\"vector\":[1,0,0],\"k\":0}", 400, "invalid_field", "k"),
                Arguments.of("POST", "/v1/indexes/t3/search", "{\"vector\":[1,0,0],\"k\":1001}", 400, "invalid_field", "k"),
                Arguments.of("POST", "/v1/indexes/t3/search", "{\"vector\":[1,0,0],\"filter\":[\"welder\"]}", 400, "invalid_field", "filter"),
                Arguments.of("POST", "/v1/indexes/t3/search", "{\"vector\":[1,0,0],\"filter\":\"welder\"}", 400, "invalid_field", "filter"),
                Arguments.of("PUT", "/v1/indexes/t4", "{\"dims\":3,\"metric\":\"manhattan\"}", 400, "invalid_field", "manhattan"),
                Arguments.of("PUT", "/v1/indexes/t4", "{\"metric\":\"cosine\"}", 400, "missing_field", "dims"),
                Arguments.of("PUT", "/v1/indexes/Bad%20Name", "{\"dims\":3,\"metric\":\"cosine\"}", 400, "invalid_name", "Bad Name"),
                Arguments.of("PUT", "/v1/indexes/" + "x".repeat(65), "{\"dims\":3,\"metric\":\"cosine\"}", 400, "invalid_name", "1-64"),
                Arguments.of("PUT", "/v1/indexes/t3", "{\"dims\":4,\"metric\":\"cosine\"}", 409, "index_exists", "dims 3"),
                Arguments.of("POST", "/v1/indexes/missing/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1]}]}", 404, "index_not_found", "missing"),
                Arguments.of("POST", "/v1/indexes/missing/search", "{\"vector\":[1]}", 404, "index_not_found", "missing"),
                Arguments.of("GET", "/v1/indexes/t3/points/nope", null, 404, "point_not_found", "nope"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"" + "i".repeat(257) + "\",\"vector\":[1,0,0]}]}", 400, "invalid_field", "points[0].id"),
                Arguments.of("POST", "/v1/indexes/t3/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1,0,0],\"payload\":[1]}]}", 400, "invalid_field", "points[0].payload"),
                Arguments.of("DELETE", "/v1/indexes/t3/search", null, 405, "method_not_allowed", "POST"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} -> {3} {4}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, int status, String code, String detail) throws Exception {
        TestHttp.assertProblem(send(method, path, body), status, code, detail);
    }

    @Test
    void lifecycle_createUpsertSearchSnapshotDelete() throws Exception {
        assertThat(send("PUT", "/v1/indexes/life", "{\"dims\":2,\"metric\":\"euclidean\",\"m\":8}").statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/v1/indexes/life", "{\"dims\":2,\"metric\":\"euclidean\",\"m\":8}").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/indexes/life/points", "{\"points\":[{\"id\":\"a\",\"vector\":[0,0],\"payload\":{\"s\":\"OH\"}},"
                + "{\"id\":\"b\",\"vector\":[1,0],\"payload\":{\"s\":\"PA\"}}]}").body()).contains("\"upserted\":2");
        JsonNode hits = Json.mapper().readTree(send("POST", "/v1/indexes/life/search", "{\"vector\":[0.9,0],\"k\":2}").body());
        assertThat(hits.path("hits").get(0).path("id").asText()).isEqualTo("b");
        assertThat(hits.path("hits").get(0).path("score").asDouble()).isGreaterThan(hits.path("hits").get(1).path("score").asDouble());
        assertThat(hits.has("took_ms")).isTrue();
        JsonNode filtered = Json.mapper().readTree(send("POST", "/v1/indexes/life/search", "{\"vector\":[0.9,0],\"k\":2,\"filter\":{\"s\":\"OH\"}}").body());
        assertThat(filtered.path("hits")).hasSize(1);
        assertThat(Json.mapper().readTree(send("POST", "/v1/indexes/life/snapshot", null).body()).path("points").asInt()).isEqualTo(2);
        JsonNode described = Json.mapper().readTree(send("GET", "/v1/indexes/life", null).body());
        assertThat(described.path("count").asInt()).isEqualTo(2);
        assertThat(described.path("last_snapshot").path("points").asInt()).isEqualTo(2);
        assertThat(send("DELETE", "/v1/indexes/life/points/a", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/v1/indexes/life/points/a", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/v1/indexes/life", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/v1/indexes/life", null).statusCode()).isEqualTo(404);
    }
}
