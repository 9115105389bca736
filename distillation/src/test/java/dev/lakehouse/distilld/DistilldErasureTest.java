package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * observerd and distilld forget a person: a real run over observations that name her (her phone, an SSN), then both
 * erasure routes. Every file keeps its size, every line that does not name her stays byte for byte, the run's summary
 * hashes are those of its files again, the run notes the erasure, and neither the route's scan nor a plain grep finds her.
 */
public class DistilldErasureTest {
    @TempDir
    Path dir;

    @Test
    void observationsAndEveryRunFile_areMaskedInPlace_summaryRehashed_othersUntouched() throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        Path data = dir.resolve("data");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_DISTILLD_PORT", "0", "LAKEHOUSE_OBSERVERD_PORT", "0",
                "LAKEHOUSE_DATA_DIR", data.toString(), "DISTILLD_OBSERVATIONS", obs.toString(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9"));
        DaemonServer distilld = DistilldMain.builder(DistilldConfig.from(env), env).embedded().start();
        try {
            TestHttp http = new TestHttp(distilld::port);
            String id = Json.mapper().readTree(http.send("POST", "/v1/distill/runs", "{\"full\":true}").body()).path("id").asText();
            assertThat(await(http, id).path("state").asText()).isEqualTo("done");
            Path run = data.resolve("distilld/runs").resolve(id);
            List<String> ids = List.of(PipelineTest.SSN, "614-555-0101");
            assertThat(dev.lakehouse.common.testing.DataGrep.files(data, List.of("123-45-6789", "614-555-0101", "6145550101"))).as("the run holds her").isNotEmpty();
            Map<Path, List<String>> before = lines(data);
            Map<Path, List<String>> obsBefore = lines(obs);

            HttpResponse<String> r = http.send("POST", "/v1/distill/erasures", body("er-7", ids));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode out = Json.mapper().readTree(r.body());
            assertThat(out.path("records_masked").asLong()).isPositive();
            assertThat(out.path("records_unmaskable").asLong()).isZero();
            assertThat(out.path("runs_updated").toString()).contains(id);
            assertThat(out.path("scan").path("matches").asLong()).as(r.body()).isZero();
            assertThat(dev.lakehouse.common.testing.DataGrep.files(data, List.of("123-45-6789", "614-555-0101", "6145550101"))).isEmpty();
            assertUnchangedButHer(before, lines(data), ids);

            JsonNode summary = Json.mapper().readTree(Files.readAllBytes(run.resolve("summary.json")));
            for (JsonNode files : List.of(summary.path("files"), summary.path("stages").path("export").path("files"))) {
                files.fields().forEachRemaining(f -> {
                    try {
                        Path p = run.resolve(f.getKey());
                        if (Files.isRegularFile(p)) {
                            assertThat(Erasure.sha256(p)).as(f.getKey()).isEqualTo(f.getValue().path("sha256").asText());
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            assertThat(Files.readString(run.resolve("erasures.jsonl"))).contains("\"erasure_id\":\"er-7\"")
                    .doesNotContain("614-555").doesNotContain("6145550101");   // not "614": the time's nanoseconds may hold it
            assertThat(Json.mapper().readTree(http.send("POST", "/v1/distill/erasures", body("er-7", ids)).body())
                    .path("records_masked").asLong()).as("again: nothing left").isZero();
        } finally {
            distilld.stop();
        }
    }

    static JsonNode await(TestHttp http, String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            JsonNode r = Json.mapper().readTree(http.send("GET", "/v1/distill/runs/" + id, null).body());
            if (!r.path("state").asText().equals("running")) {
                return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + id + " did not finish");
    }

    public static String body(String id, List<String> identifiers) {
        return "{\"erasure_id\":\"" + id + "\",\"identifiers\":" + new String(Json.bytes(identifiers), StandardCharsets.UTF_8) + "}";
    }

    /** Every line that does not name her is byte-identical; hers have the same length in bytes. */
    public static void assertUnchangedButHer(Map<Path, List<String>> before, Map<Path, List<String>> after, List<String> her) {
        for (var e : before.entrySet()) {
            if (e.getKey().getFileName().toString().equals("summary.json") || e.getKey().getFileName().toString().equals("erasures.jsonl")) {
                continue;
            }
            List<String> now = after.get(e.getKey());
            assertThat(now).as(e.getKey().toString()).hasSameSizeAs(e.getValue());
            for (int i = 0; i < now.size(); i++) {
                String was = e.getValue().get(i);
                boolean hers = her.stream().anyMatch(h -> was.contains(h) || was.contains(h.replaceAll("[^0-9]", "")));
                if (hers) {
                    assertThat(now.get(i).getBytes(StandardCharsets.UTF_8)).hasSameSizeAs(was.getBytes(StandardCharsets.UTF_8));
                } else {
                    assertThat(now.get(i)).as(e.getKey() + ":" + i).isEqualTo(was);
                }
            }
        }
    }

    public static Map<Path, List<String>> lines(Path root) throws Exception {
        Map<Path, List<String>> out = new HashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                out.put(f, Files.readAllLines(f, StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }
}
