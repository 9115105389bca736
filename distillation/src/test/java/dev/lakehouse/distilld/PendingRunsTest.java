package dev.lakehouse.distilld;

import static dev.lakehouse.distilld.PipelineTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An iterate run whose attempts straddle two distill runs keeps its correction: the first run holds it open (the
 * attempt says more may come), the watermark carries it, the second run closes it with both attempts — and the audit
 * of the second run re-materializes it from the run's pending_in.jsonl. Past the window, a run left open is closed as
 * it is; a full run starts without what the last run held.
 */
class PendingRunsTest {
    @TempDir
    Path dir;

    static String attempt(String run, int n, boolean valid, boolean last) {
        ObjectNode p = Json.mapper().createObjectNode().put("iteration_id", run).put("n", n).put("kind", "fill").put("instruction", "Staff")
                .put("output", valid ? "{\"worker_ids\":[\"W000010\"]}" : "{\"worker_ids\":[\"W999999\"]}").put("valid", valid)
                .put("last", last).put("provider", "ollama").put("model", "m");
        var prompt = p.putArray("prompt");
        prompt.addObject().put("role", "system").put("content", "You staff orders.");
        prompt.addObject().put("role", "user").put("content", "Staff order O-1");
        p.putArray("violations");
        p.putObject("context");
        return p.toString();
    }

    JsonNode run(Path obs, String name, boolean full) throws IOException {
        return Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, dir.resolve(name), dir.resolve("watermark.json"), Pipeline.Stage.ALL, null, full, 1,
                Set.of(), null), (s, d, t) -> { }));
    }

    @Test
    void aRunStraddlingTwoDistillRuns_isCorrected_notOrphaned() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Path day = obs.resolve("2026-12-01.jsonl");
        Files.write(day, List.of(event("a1", "2026-12-01T10:00:00Z", "iterate.attempt", "r", attempt("it-1", 1, false, false))));
        JsonNode first = run(obs, "run-1", false);
        assertThat(first.path("stages").path("materialize").path("pending_out_events").asLong()).isEqualTo(1);
        assertThat(first.path("stages").path("materialize").path("evidence").asLong()).isZero();
        assertThat(first.path("stages").path("materialize").path("conserved").asBoolean()).isTrue();
        assertThat(Json.mapper().readTree(Files.readAllBytes(dir.resolve("watermark.json"))).path("pending")).hasSize(1);

        Files.write(day, List.of(event("a2", "2026-12-01T10:00:05Z", "iterate.attempt", "r", attempt("it-1", 2, true, true))),
                StandardOpenOption.APPEND);
        JsonNode second = run(obs, "run-2", false);
        JsonNode m = second.path("stages").path("materialize");
        assertThat(m.path("pending_in_events").asLong()).isEqualTo(1);
        assertThat(m.path("quarantined").asLong()).as("attempt 2 is no orphan").isZero();
        assertThat(m.path("conserved").asBoolean()).isTrue();
        assertThat(second.path("stages").path("score").path("by_category").path("corrected").asLong()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("run-2/preference/trl.jsonl"))).hasSize(1);
        assertThat(Json.mapper().readTree(Files.readAllBytes(dir.resolve("watermark.json"))).has("pending")).isFalse();

        List<Acceptance.Outcome> outcomes = Acceptance.run(new RunView(dir.resolve("run-2"), dir.resolve("work")), null);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.passed()).as(o.name() + ": " + o.examples()).isTrue());
        assertThat(Audit.dryRun(new RunView(dir.resolve("run-2"), dir.resolve("work2"))).status()).isEqualTo("pass");
    }

    @Test
    void pastTheWindow_orWithLastTrue_aRunIsClosedAsItIs() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Files.write(obs.resolve("2026-12-01.jsonl"), List.of(
                event("a1", "2026-12-01T10:00:00Z", "iterate.attempt", "r", attempt("it-1", 1, false, false)),
                event("b1", "2026-12-01T10:00:01Z", "iterate.attempt", "r", attempt("it-2", 1, false, true)),
                event("c1", "2026-12-01T10:11:00Z", "chat.call", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"output\":\"hello\",\"finish_reason\":\"stop\"}")));
        JsonNode r = run(obs, "run-1", false);
        JsonNode m = r.path("stages").path("materialize");
        assertThat(m.path("pending_out_events").asLong()).as("11 minutes later: closed").isZero();
        assertThat(r.path("stages").path("score").path("by_category").path("failed").asLong()).isEqualTo(2);
    }

    @Test
    void aFullRun_startsWithoutWhatTheLastRunHeld() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Files.write(obs.resolve("2026-12-01.jsonl"), List.of(event("a1", "2026-12-01T10:00:00Z", "iterate.attempt", "r",
                attempt("it-1", 1, false, false))));
        run(obs, "run-1", false);
        JsonNode full = run(obs, "run-2", true);
        assertThat(full.path("stages").path("materialize").path("pending_in_events").asLong()).isZero();
        assertThat(full.path("stages").path("materialize").path("pending_out_events").asLong()).isEqualTo(1);
        assertThat(full.path("stages").path("materialize").path("conserved").asBoolean()).isTrue();
    }
}
