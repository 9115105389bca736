package dev.lakehouse.observerd;

import static dev.lakehouse.distilld.DistilldErasureTest.assertUnchangedButHer;
import static dev.lakehouse.distilld.DistilldErasureTest.body;
import static dev.lakehouse.distilld.DistilldErasureTest.lines;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * observerd forgets a person while it runs: her events are masked in place in the day files (same size, every offset
 * kept), every other line is byte for byte the same, and its counts and de-duplication are unchanged.
 */
class ObserverdErasureTest {
    @TempDir
    Path dir;

    @Test
    void herEventsAreMaskedInPlace_othersUntouched_idsAndCountsKept() throws Exception {
        Path obs = dev.lakehouse.distilld.PipelineTest.fixtures(dir);
        Path data = dir.resolve("data");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_OBSERVERD_PORT", "0", "LAKEHOUSE_DATA_DIR", data.toString()));
                Path events = data.resolve("observerd/events");
        Files.createDirectories(events);
        for (Path f : Files.list(obs).toList()) {
            Files.copy(f, events.resolve(f.getFileName()));
        }
        DaemonServer observerd = ObserverdMain.builder(ObserverdConfig.from(env), env).embedded().start();
        try {
            TestHttp http = new TestHttp(observerd::port);
            for (int i = 0; i < 100 && http.send("GET", "/ready", null).statusCode() != 200; i++) {
                Thread.sleep(20);
            }
            String stats = http.send("GET", "/v1/observe/stats", null).body();
            Map<Path, List<String>> before = lines(events);
            Map<Path, Long> sizes = new HashMap<>();
            for (Path f : before.keySet()) {
                sizes.put(f, Files.size(f));
            }
            HttpResponse<String> r = http.send("POST", "/v1/observe/erasures", body("er-7", List.of("123-45-6789", "614-555-0101")));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode out = Json.mapper().readTree(r.body());
            assertThat(out.path("events_masked").asLong()).isPositive();
            assertThat(out.path("scan").path("matches").asLong()).as(r.body()).isZero();
            for (Path f : before.keySet()) {
                assertThat(Files.size(f)).as("same size: every offset kept").isEqualTo(sizes.get(f));
            }
            assertUnchangedButHer(before, lines(events), List.of("123-45-6789", "614-555-0101"));
            assertThat(http.send("GET", "/v1/observe/stats", null).body()).isEqualTo(stats);
            assertThat(http.send("POST", "/v1/observe/events", "{\"events\":[{\"event_id\":\"e01\",\"ts\":\"2026-11-30T10:00:01Z\","
                    + "\"kind\":\"chat.call\"}]}").body()).as("ids still known").contains("\"duplicates\":1");
        } finally {
            observerd.stop();
        }
    }
}
