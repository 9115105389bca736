package dev.lakehouse.distilld;

import static dev.lakehouse.common.testing.TestHttp.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import dev.lakehouse.distilld.PipelineTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** distilld in-process through its own builder: runs over fixture observations, one at a time, listed, and every bad input. */
class DistilldServerTest {
    @TempDir
    static Path dir;
    static DaemonServer distilld;

    @BeforeAll
    static void start() throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_DISTILLD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "DISTILLD_OBSERVATIONS", obs.toString(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9"));
        distilld = DistilldMain.builder(DistilldConfig.from(env), env).embedded().start();
    }

    @AfterAll
    static void stop() {
        distilld.stop();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(distilld::port).send(method, path, body);
    }

    static JsonNode await(String id) throws Exception {
        return awaitJob("runs", id);
    }

    @Test
    void aRun_goesThroughEveryStage_oneAtATime_andIsListedWithItsSummary() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/distill/runs", "{\"full\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = Json.mapper().readTree(r.body()).path("id").asText();
        JsonNode done = await(id);
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.path("summary").path("stages").path("materialize").path("conserved").asBoolean()).isTrue();
        assertThat(done.path("summary").path("stages").path("export").path("files").path("sft/trl.jsonl").path("records").asLong())
                .isPositive();
        assertThat(Files.readString(dir.resolve("data/distilld/runs/latest"))).isEqualTo(id);
        JsonNode list = Json.mapper().readTree(send("GET", "/v1/distill/runs", null).body());
        assertThat(list.path("runs").findValuesAsText("id")).contains(id);

        JsonNode again = await(Json.mapper().readTree(send("POST", "/v1/distill/runs", "{\"stages\":[\"materialize\"]}").body())
                .path("id").asText());
        assertThat(again.path("summary").path("stages").path("materialize").path("lines").asLong()).as("after the watermark").isZero();
        assertThat(again.path("stages").toString()).isEqualTo("[\"materialize\"]");
        assertThat(again.path("summary").path("stages").has("score")).as("only what was asked").isFalse();
    }

    @Test
    void aSecondRunWhileOneRuns_is409NamingIt() throws Exception {
        Path big = dir.resolve("big");
        Files.createDirectories(big);
        try (BufferedWriter w = Files.newBufferedWriter(big.resolve("2026-11-29.jsonl"))) {
            for (int i = 0; i < 150_000; i++) {
                w.write("{\"event_id\":\"b" + i + "\",\"ts\":\"2026-11-29T10:00:00Z\",\"kind\":\"validate\",\"payload\":{\"kind\":\"fill\","
                        + "\"valid\":true,\"artifact\":{\"worker_ids\":[\"W" + i + "\"]},\"violations\":[]}}\n");
            }
        }
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_DISTILLD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data2").toString(),
                "DISTILLD_OBSERVATIONS", big.toString(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9"));
        DaemonServer second = DistilldMain.builder(DistilldConfig.from(env), env).embedded().start();
        try {
            TestHttp http = new TestHttp(second::port);
            HttpResponse<String> first = http.send("POST", "/v1/distill/runs", "{}");
            assertThat(first.statusCode()).isEqualTo(202);
            String id = Json.mapper().readTree(first.body()).path("id").asText();
            assertProblem(http.send("POST", "/v1/distill/runs", "{}"), 409, "run_in_progress", id);
        } finally {
            second.stop();
        }
    }

    static JsonNode awaitJob(String kind, String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            JsonNode r = Json.mapper().readTree(send("GET", "/v1/distill/" + kind + "/" + id, null).body());
            if (!r.path("state").asText().equals("running")) {
                return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(kind + " " + id + " did not finish");
    }

    @Test
    void anAuditAndAReplay_runThroughTheApi_andAreFoundByIdWithTheirReports() throws Exception {
        String run = Json.mapper().readTree(send("POST", "/v1/distill/runs", "{\"full\":true}").body()).path("id").asText();
        assertThat(await(run).path("state").asText()).isEqualTo("done");

        HttpResponse<String> a = send("POST", "/v1/distill/audits", "{\"run\":\"" + run + "\",\"phases\":\"0-7\",\"replay_sample\":5}");
        assertThat(a.statusCode()).as(a.body()).isEqualTo(202);
        String audit = Json.mapper().readTree(a.body()).path("id").asText();
        JsonNode done = awaitJob("audits", audit);
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
        JsonNode report = done.path("result");
        assertThat(report.path("phases").findValuesAsText("status")).hasSize(8);
        assertThat(report.path("phases").get(1).path("status").asText()).as("every record conforms").isEqualTo("pass");
        JsonNode replay = report.path("phases").get(7);
        assertThat(replay.path("status").asText()).as("chatd and validatord are down here").isEqualTo("fail");
        assertThat(replay.path("findings").toString()).contains("could not be replayed");
        assertThat(replay.path("details").path("errors").asLong()).isEqualTo(replay.path("details").path("replayed").asLong()).isPositive();
        HttpResponse<String> md = send("GET", "/v1/distill/audits/" + audit + "/report.md", null);
        assertThat(md.statusCode()).isEqualTo(200);
        assertThat(md.headers().firstValue("content-type").orElse("")).startsWith("text/markdown");
        assertThat(md.body()).contains("## 0. inventory", "## 7. replay", "## Invariants");
        assertThat(Files.exists(dir.resolve("data/distilld/runs").resolve(run).resolve("audits").resolve(audit).resolve("report.json"))).isTrue();

        HttpResponse<String> r = send("POST", "/v1/distill/replays", "{\"classes\":[\"chat_answer\"],\"sample\":3,\"rate\":100}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = Json.mapper().readTree(r.body()).path("id").asText();
        JsonNode rs = awaitJob("replays", id);
        assertThat(rs.path("state").asText()).as(rs.toString()).isEqualTo("done");
        assertThat(rs.path("result").path("by_diff").path("error").asLong()).as("the provider is down: every item marked")
                .isEqualTo(rs.path("result").path("replayed").asLong()).isPositive();
        assertProblem(send("POST", "/v1/distill/replays/" + id + "/resume", null), 409, "replay_finished", id);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("POST", "/v1/distill/runs", "null", 400, "invalid_json", "null"),
                Arguments.of("POST", "/v1/distill/runs", "{\"stages\":[\"cook\"]}", 400, "invalid_field", "stages[0]"),
                Arguments.of("POST", "/v1/distill/runs", "{\"stages\":[]}", 400, "invalid_field", "stages"),
                Arguments.of("POST", "/v1/distill/runs", "{\"stages\":[null]}", 400, "missing_field", "stages[0]"),
                Arguments.of("POST", "/v1/distill/runs", "{\"since\":\"last week\"}", 400, "invalid_time", "since"),
                Arguments.of("POST", "/v1/distill/runs", "{\"full\":\"yes\"}", 400, "invalid_field", "full"),
                Arguments.of("GET", "/v1/distill/runs/run-nope", null, 404, "run_not_found", "run-nope"),
                Arguments.of("GET", "/v1/distill/runs/..%2F..%2Fetc", null, 404, "not_found", ""),
                Arguments.of("GET", "/v1/distill/runs/a%00b", null, 404, "run_not_found", "a"),
                Arguments.of("DELETE", "/v1/distill/runs", null, 405, "method_not_allowed", "POST"),
                Arguments.of("POST", "/v1/distill/replays", "null", 400, "invalid_json", "null"),
                Arguments.of("POST", "/v1/distill/replays", "{\"sample\":0}", 400, "invalid_field", "sample"),
                Arguments.of("POST", "/v1/distill/replays", "{\"sample\":\"ten\"}", 400, "invalid_field", "sample"),
                Arguments.of("POST", "/v1/distill/replays", "{\"classes\":[\"claim_reconciliation\"]}", 400, "invalid_field", "classes[0]"),
                Arguments.of("POST", "/v1/distill/replays", "{\"classes\":{}}", 400, "invalid_field", "classes"),
                Arguments.of("POST", "/v1/distill/replays", "{\"since\":\"2026-12-01T00:00:00Z\",\"until\":\"2026-11-01T00:00:00Z\"}", 400,
                        "invalid_field", "until"),
                Arguments.of("POST", "/v1/distill/replays", "{\"until\":\"soon\"}", 400, "invalid_time", "until"),
                Arguments.of("POST", "/v1/distill/replays", "{\"concurrency\":1000}", 400, "invalid_field", "concurrency"),
                Arguments.of("POST", "/v1/distill/replays", "{\"rate\":-1}", 400, "invalid_field", "rate"),
                Arguments.of("POST", "/v1/distill/replays", "{\"provider\":\"a b\\u0000\"}", 400, "invalid_field", "provider"),
                Arguments.of("POST", "/v1/distill/replays", "{\"run\":\"run-20990101T000000Z-dead\"}", 404, "run_not_found", "run-2099"),
                Arguments.of("POST", "/v1/distill/replays", "{\"run\":\"../../etc\"}", 404, "run_not_found", "../../etc"),
                Arguments.of("GET", "/v1/distill/replays/replay-20990101T000000Z-dead", null, 404, "replay_not_found", "replay-2099"),
                Arguments.of("GET", "/v1/distill/replays/" + "x".repeat(1000), null, 404, "replay_not_found", "xxx"),
                Arguments.of("POST", "/v1/distill/replays/replay-20990101T000000Z-dead/resume", null, 404, "replay_not_found", "replay-2099"),
                Arguments.of("GET", "/v1/distill/replays", null, 405, "method_not_allowed", "POST"),
                Arguments.of("POST", "/v1/distill/audits", "[]", 400, "invalid_field", "object"),
                Arguments.of("POST", "/v1/distill/audits", "{\"phases\":\"9\"}", 400, "invalid_field", "phases"),
                Arguments.of("POST", "/v1/distill/audits", "{\"phases\":\"" + "1,".repeat(10000) + "\"}", 400, "invalid_field", "phases"),
                Arguments.of("POST", "/v1/distill/audits", "{\"replay_sample\":-1}", 400, "invalid_field", "replay_sample"),
                Arguments.of("POST", "/v1/distill/audits", "{\"run\":\"run-20990101T000000Z-dead\"}", 404, "run_not_found", "run-2099"),
                Arguments.of("GET", "/v1/distill/audits/audit-20990101T000000Z-dead", null, 404, "audit_not_found", "audit-2099"),
                Arguments.of("GET", "/v1/distill/audits/audit-20990101T000000Z-dead/report.md", null, 404, "audit_not_found", "audit-2099"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, int status, String code, String mentions) throws Exception {
        assertProblem(send(method, path, body), status, code, mentions);
    }
}
