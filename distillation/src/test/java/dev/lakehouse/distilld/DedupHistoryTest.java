package dev.lakehouse.distilld;

import static dev.lakehouse.distilld.PipelineTest.chat;
import static dev.lakehouse.distilld.PipelineTest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dedup across runs: the same record observed again in a later run is a duplicate of the earlier run's, known from a
 * history on disk (not the heap); the history moves with the watermark; the audit's dry run reproduces the decision.
 */
class DedupHistoryTest {
    @TempDir
    Path dir;

    JsonNode run(Path obs, String name, boolean full) throws IOException {
        return Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, dir.resolve(name), dir.resolve("state/watermark.json"), Pipeline.Stage.ALL, null,
                full, 1, Set.of(), null), (s, d, t) -> { }));
    }

    @Test
    void theSameRecordNextWeek_isADuplicateOfTheEarlierRun_andTheAuditAgrees() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("obs"));
        Path day = obs.resolve("2026-11-30.jsonl");
        Files.write(day, List.of(event("a", "2026-11-30T10:00:00Z", "chat.call", null, chat("Hi", "Hello")),
                event("b", "2026-11-30T10:00:01Z", "chat.call", null, chat("Which shift?", "Nights."))));
        JsonNode first = run(obs, "run-1", false);
        assertThat(first.path("stages").path("materialize").path("evidence").asLong()).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("state/dedup-1.bin"))).isTrue();

        Files.write(day, List.of(event("c", "2026-12-07T10:00:00Z", "chat.call", null, chat("Hi", "Hello")),   // again, a week later
                event("d", "2026-12-07T10:00:01Z", "chat.call", null, chat("New?", "Yes."))), StandardOpenOption.APPEND);
        JsonNode second = run(obs, "run-2", false);
        JsonNode m = second.path("stages").path("materialize");
        assertThat(m.path("evidence").asLong()).isEqualTo(1);
        assertThat(m.path("duplicates_of_earlier_runs").asLong()).isEqualTo(1);
        assertThat(m.path("conserved").asBoolean()).isTrue();
        assertThat(Json.mapper().readTree(Files.readAllBytes(dir.resolve("state/watermark.json"))).path("dedup").asText())
                .isEqualTo("dedup-2.bin");
        assertThat(dir.resolve("state/dedup-1.bin")).doesNotExist();
        assertThat(DedupHistory.open(dir.resolve("state"), "dedup-2.bin").size()).isEqualTo(3);
        assertThat(Audit.dryRun(new RunView(dir.resolve("run-2"), dir.resolve("work"))).status()).isEqualTo("pass");

        // a full run reads everything again and exports it again: earlier runs' records are not its duplicates
        JsonNode full = run(obs, "run-3", true);
        assertThat(full.path("stages").path("materialize").path("evidence").asLong()).isEqualTo(3);
        assertThat(DedupHistory.open(dir.resolve("state"), "dedup-3.bin").size()).isEqualTo(3);
    }

    @Test
    void aGenerationLeftByAKilledRun_isDeleted_andACorruptOneStopsTheRunNamingIt() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("obs"));
        Files.write(obs.resolve("2026-11-30.jsonl"), List.of(event("a", "2026-11-30T10:00:00Z", "chat.call", null, chat("Hi", "Hello"))));
        run(obs, "run-1", false);
        Files.write(dir.resolve("state/dedup-7.bin"), new byte[] {1, 2, 3});   // a run killed between its history and its watermark
        run(obs, "run-2", false);
        assertThat(dir.resolve("state/dedup-7.bin")).doesNotExist();
        Files.write(dir.resolve("state/dedup-2.bin"), new byte[] {'x', 'y'});
        assertThatThrownBy(() -> run(obs, "run-3", false)).isInstanceOf(IOException.class).hasMessageContaining("dedup-2.bin");
    }
}
