package dev.lakehouse.distillation.distilld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

import dev.lakehouse.common.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every run appends its baseline; compare finds no drift between equal runs and names what moved past its threshold. */
class BaselinesTest {
    @TempDir
    Path dir;

    void run(Path obs, String id, boolean full) throws IOException {
        Path data = dir.resolve("distilld");
        Pipeline.run(new Pipeline.Options(obs, data.resolve("runs").resolve(id), data.resolve("watermark.json"), Pipeline.Stage.ALL,
                null, full, 1, Set.of(), null), (a, b, c) -> { });
    }

    @Test
    void runsAppendBaselines_equalRunsDoNotDrift_andAChangeCrossesItsThreshold() throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        run(obs, "run-a", true);
        run(obs, "run-b", true);
        Path file = dir.resolve("distilld/audit_baselines.jsonl");
        List<Baselines.Baseline> all = Baselines.read(file);
        assertThat(all).extracting(Baselines.Baseline::run).containsExactly("run-a", "run-b");
        assertThat(all.get(0).metrics()).containsKeys("materialize.lines", "score.by_category.pii", "export.sft_by_class.chat_answer",
                "export.sft_length_chars.mean");
        assertThat(all.get(0).hashes()).containsEntry("sft/trl.jsonl", all.get(1).hashes().get("sft/trl.jsonl"));
        assertThat(Baselines.compare(all.get(0), all.get(1), new Baselines.Thresholds(0.0, null))).noneMatch(Baselines.Drift::crossed);

        Files.writeString(obs.resolve("2026-11-30.jsonl"), "\n" + PipelineTest.event("x1", "2026-11-30T11:00:00Z", "chat.call", null,
                PipelineTest.chat("More", "Yes")) + "\n", StandardOpenOption.APPEND);
        run(obs, "run-c", true);
        List<Baselines.Drift> drift = Baselines.compare(all.get(1), Baselines.read(file).get(2), new Baselines.Thresholds(0.5,
                java.util.Map.of("score.by_category.accepted", 0.01)));
        assertThat(drift).filteredOn(Baselines.Drift::crossed).extracting(Baselines.Drift::metric).contains("score.by_category.accepted")
                .doesNotContain("materialize.lines");
    }

    @Test
    void aCorruptBaselineFile_andABadThresholdFile_sayWhere() throws Exception {
        Path file = dir.resolve("audit_baselines.jsonl");
        Files.writeString(file, "{\"run\":\"r\",\"metrics\":{},\"hashes\":{}}\nnot a baseline\n");
        assertThatThrownBy(() -> Baselines.read(file)).isInstanceOf(IOException.class).hasMessageContaining("audit_baselines.jsonl offset");
        Path t = dir.resolve("t.json");
        Files.writeString(t, "{\"defaults\":\"half\"}");
        assertThatThrownBy(() -> Baselines.Thresholds.load(t)).isInstanceOf(ConfigException.class).hasMessageContaining(t.toString())
                .hasMessageContaining("defaults");
    }
}
