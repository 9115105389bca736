package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed summary: the answer and the file say the same, and a summary read back is written again byte for byte. */
class RunSummaryTest {
    @TempDir
    Path dir;

    private RunSummary fullRun(Set<Pipeline.Stage> stages) throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        return Pipeline.run(new Pipeline.Options(obs, dir.resolve("r"), dir.resolve("wm.json"), stages, null, true, 1, Set.of(), null),
                (a, b, c) -> { });
    }

    @Test
    void theAnswer_isTheFilesContent_inTheDocumentedKeyOrder() throws Exception {
        RunSummary live = fullRun(Pipeline.Stage.ALL);
        JsonNode answer = Json.mapper().valueToTree(live);
        JsonNode file = Json.mapper().readTree(Files.readAllBytes(dir.resolve("r/summary.json")));
        assertThat(canonical(answer)).isEqualTo(canonical(file));
        assertThat(names(answer)).containsExactly("stages", "inputs", "files", "stages_run", "took_ms");
        assertThat(names(answer.path("stages"))).containsExactly("materialize", "score", "export");
        assertThat(names(answer.path("stages").path("materialize"))).containsExactly("lines", "before_since", "events_in_evidence",
                "quarantined", "duplicate_events", "replay_events", "shadow_events", "iterate_calls", "pending_in_events", "pending_out_events",
                "duplicates_of_earlier_runs", "evidence", "conserved", "evidence_by_type", "quarantine_by_reason", "took_ms");
        assertThat(names(answer.path("stages").path("export"))).containsExactly("files", "sft_by_class", "sft_refused_by_firewall",
                "sft_length_chars", "preference_refused", "masked", "rag");
        assertThat(names(answer.path("inputs"))).containsExactly("observations", "since", "full", "files", "released", "flagged_providers",
                "roster", "roster_workers");
        assertThat(answer.path("inputs").get("since").isNull()).isTrue();    // said, not left out
        assertThat(answer.path("inputs").get("roster").isNull()).isTrue();
        assertThat(answer.path("stages").path("export").path("rag").path("test.relevant").asLong()).isPositive();   // qrels beside queries
    }

    @Test
    void aSummaryReadBack_isWrittenAgainByteForByte() throws Exception {
        fullRun(Pipeline.Stage.ALL);
        Path file = dir.resolve("r/summary.json");
        byte[] before = Files.readAllBytes(file);
        Path again = dir.resolve("again.json");
        Pipeline.writeSummary(again, Pipeline.readSummary(file));
        assertThat(new String(Files.readAllBytes(again))).isEqualTo(new String(before));
    }

    @Test
    void materializeOnly_hasNoScoreExportOrRosterCount_andUnknownKeysOfAnotherVersionArePassedOver() throws Exception {
        JsonNode answer = Json.mapper().valueToTree(fullRun(Set.of(Pipeline.Stage.MATERIALIZE)));
        assertThat(names(answer.path("stages"))).containsExactly("materialize");
        assertThat(answer.path("inputs").has("roster_workers")).isFalse();

        Path newer = dir.resolve("newer.json");
        Files.writeString(newer, "{\"stages\":{\"materialize\":{\"lines\":3,\"evidence\":1,\"a_new_count\":7}},\"something_new\":[1],"
                + "\"took_ms\":5}");
        RunSummary s = Pipeline.readSummary(newer);
        assertThat(s.materialize().lines()).isEqualTo(3);
        assertThat(s.inputs()).isNull();
        assertThat(s.allFiles()).isEmpty();

        Files.writeString(newer, "{\"stages\":{\"materialize\":{\"lines\":\"three\"}}}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pipeline.readSummary(newer))
                .hasMessageContaining("newer.json is not a run summary");
    }

    private static String canonical(JsonNode n) {
        return new String(dev.lakehouse.distillation.CanonicalJson.bytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
