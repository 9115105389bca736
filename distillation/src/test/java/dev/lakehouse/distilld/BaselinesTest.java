package dev.lakehouse.distilld;

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
                java.util.Map.of("score.by_category.accepted", 0.01), 0L));
        assertThat(drift).filteredOn(Baselines.Drift::crossed).extracting(Baselines.Drift::metric).contains("score.by_category.accepted")
                .doesNotContain("materialize.lines");
    }

    /** Mixed traffic in fixed shares: chats (one in ten cut), validations, one in {@code piiEvery} chats with an SSN. */
    static void traffic(Path obs, int from, int count, int piiEvery) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            String ts = java.time.Instant.parse("2026-11-30T00:00:00Z").plusSeconds(i).toString();
            String payload = i % 3 == 0
                    ? "{\"kind\":\"fill\",\"artifact\":{\"order_id\":\"O-" + i + "\",\"worker_ids\":[\"W0000" + (10 + i % 80) + "\"]},\"valid\":" + (i % 2 == 0)
                            + ",\"violations\":[]}"
                    : PipelineTest.chat(i % piiEvery == 1 ? "my ssn is 219-09-" + (1000 + i % 8000) : "Shift " + i + "?",
                    i % 10 == 5 ? "" : "Night shift " + i + " suits you.");
            sb.append(PipelineTest.event("t" + i, ts, i % 3 == 0 ? "validate" : "chat.call", null, payload)).append('\n');
        }
        Files.writeString(obs.resolve("2026-11-30.jsonl"), sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void compare_ratesPerThousandLines_anIncrementalRunOfNormalTrafficDoesNotDrift_aJumpInPiiDoes() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("obs"));
        traffic(obs, 0, 300, 20);
        run(obs, "run-a", false);
        traffic(obs, 300, 900, 20);   // three times as much of the same traffic, read incrementally
        run(obs, "run-b", false);
        traffic(obs, 1200, 600, 3);   // now one chat in three carries an SSN
        run(obs, "run-c", false);
        List<Baselines.Baseline> all = Baselines.read(dir.resolve("distilld/audit_baselines.jsonl"));
        Baselines.Thresholds defaults = new Baselines.Thresholds(null, null);
        List<Baselines.Drift> normal = Baselines.compare(all.get(0), all.get(1), defaults);
        assertThat(normal).filteredOn(Baselines.Drift::crossed).as(normal.toString()).isEmpty();
        assertThat(normal).filteredOn(d -> d.metric().equals("materialize.lines")).singleElement()
                .satisfies(d -> assertThat(d.current()).isEqualTo(3 * d.baseline()));
        List<Baselines.Drift> jump = Baselines.compare(all.get(1), all.get(2), defaults);
        assertThat(jump).filteredOn(Baselines.Drift::crossed).extracting(Baselines.Drift::metric).contains("score.by_category.pii");
        assertThat(jump).filteredOn(d -> d.metric().equals("score.by_category.pii")).singleElement()
                .satisfies(d -> assertThat(d.unit()).isEqualTo("per_1000_lines"));
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
        for (String bad : List.of("{\"defaults\":-1}", "{\"metrics\":{\"a\":-0.5}}", "{\"min_count\":-3}", "{\"defaults\":\"NaN\"}")) {
            Files.writeString(t, bad);
            assertThatThrownBy(() -> Baselines.Thresholds.load(t)).as(bad).isInstanceOf(ConfigException.class);
        }
    }
}
