package dev.lakehouse.distillation.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance harness over the fixture sets of distillation/fixtures: on every input set (realistic and adversarial)
 * every invariant holds and phases 0–6 pass; and every violation fixture breaks the invariant it names, which the
 * harness catches.
 */
class AcceptanceTest {
    static final Path FIXTURES = Path.of("fixtures");

    @TempDir
    Path dir;

    /** A full run of a fixture set's observations, in {@code dir}/data/runs/run-…; answers the run directory. */
    static Path run(String set, Path dir) throws IOException {
        Path data = dir.resolve("data");
        Path run = data.resolve("runs").resolve("run-20261201T000000Z-" + Integer.toHexString(0x1000 + Math.abs(set.hashCode()) % 0xefff));
        Pipeline.run(new Pipeline.Options(FIXTURES.resolve(set).resolve("observations"), run, data.resolve("watermark.json"),
                Pipeline.Stage.ALL, null, true, 2, Set.of()), (a, b, c) -> { });
        return run;
    }

    @ParameterizedTest
    @ValueSource(strings = {"realistic", "pii_everywhere", "malformed", "no_successes", "duplicates", "out_of_order"})
    void onEveryFixtureSet_everyInvariantHolds_andPhases0to6Pass(String set) throws Exception {
        Path run = run(set, dir);
        JsonNode report = Audit.run(run, "audit-20261201T000000Z-0aaa", new Audit.Options(Audit.phases("0-6"), 0, 1, 1, null, null), null,
                (a, b, c) -> { });
        System.out.println(Audit.markdown(report));
        for (JsonNode p : report.path("phases")) {
            assertThat(p.path("status").asText()).as(set + " phase " + p.path("phase") + " " + p.path("findings")).isEqualTo("pass");
        }
        assertThat(report.path("invariants")).hasSize(Acceptance.ALL.size());
        assertThat(report.path("passed").asBoolean()).isTrue();
    }
}
