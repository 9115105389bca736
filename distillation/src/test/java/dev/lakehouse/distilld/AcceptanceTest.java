package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
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
                Pipeline.Stage.ALL, null, true, 2, Set.of(), null), (a, b, c) -> { });
        return run;
    }

    @ParameterizedTest
    @ValueSource(strings = {"realistic", "pii_everywhere", "malformed", "no_successes", "duplicates", "out_of_order"})
    void onEveryFixtureSet_everyInvariantHolds_andPhases0to6Pass(String set) throws Exception {
        Path run = run(set, dir);
        JsonNode report = Json.mapper().valueToTree(Audit.run(run, "audit-20261201T000000Z-0aaa", new Audit.Options(Audit.phases("0-6"), 0, 1, 1, null, null), null,
                (a, b, c) -> { }));
        JsonNode summary = Json.mapper().readTree(Files.readAllBytes(run.resolve("summary.json")));
        JsonNode expected = Json.mapper().readTree(Files.readAllBytes(FIXTURES.resolve(set).resolve("expected.json")));
        assertThat(counts(summary).toString()).as(set + ": what the run made (fixtures/" + set + "/expected.json)")
                .isEqualTo(expected.path("counts").toString());
        for (JsonNode p : report.path("phases")) {
            assertThat(p.path("status").asText()).as(set + " phase " + p.path("phase") + " " + p.path("findings")).isEqualTo("pass");
        }
        assertThat(report.path("invariants")).hasSize(Acceptance.ALL.size());
        assertThat(Schemas.errors("audit_report", report)).as("docs/schemas/audit_report.schema.json").isEmpty();
        assertThat(Schemas.errors("audit_report", Json.mapper().readTree("{\"id\":\"x\",\"phases\":[{\"status\":\"ok\"}]}"))).isNotEmpty();
        assertThat(report.path("passed").asBoolean()).isTrue();
    }

    /** The counts a fixture set's expected.json pins: lines, evidence by type, quarantine by reason, SFT by class, pairs, queries. */
    static JsonNode counts(JsonNode summary) {
        JsonNode st = summary.path("stages");
        com.fasterxml.jackson.databind.node.ObjectNode c = Json.mapper().createObjectNode();
        for (String k : List.of("lines", "evidence", "quarantined", "duplicate_events")) {
            c.put(k, st.path("materialize").path(k).asLong());
        }
        c.set("evidence_by_type", st.path("materialize").path("evidence_by_type"));
        c.set("quarantine_by_reason", st.path("materialize").path("quarantine_by_reason"));
        c.set("by_category", st.path("score").path("by_category"));
        c.set("sft_by_class", st.path("export").path("sft_by_class"));
        c.put("preference_pairs", st.path("export").path("files").path("preference/trl.jsonl").path("records").asLong());
        c.put("rag_queries", st.path("export").path("files").path("rag/queries.jsonl").path("records").asLong());
        return c;
    }

    static List<Path> violationFixtures() throws IOException {
        try (var files = Files.list(FIXTURES.resolve("violations"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everyInvariantHasAViolationFixture_andThereAreAtLeast22() throws IOException {
        Set<String> fixtures = new java.util.TreeSet<>();
        for (Path f : violationFixtures()) {
            fixtures.add(Violations.load(f).path("invariant").asText());
        }
        Set<String> names = new java.util.TreeSet<>();
        Acceptance.ALL.forEach(i -> names.add(i.name()));
        assertThat(names).hasSizeGreaterThanOrEqualTo(22);
        assertThat(fixtures).isEqualTo(names);
    }

    @Test
    void eachViolationFixture_breaksItsInvariant_andTheHarnessCatchesIt() throws Exception {
        Path good = run("realistic", dir.resolve("good"));
        for (Acceptance.Outcome o : Acceptance.run(new RunView(good, dir.resolve("work")), null)) {
            assertThat(o.passed()).as(o.name() + " on the realistic run: " + o.examples()).isTrue();
        }
        int n = 0;
        for (Path f : violationFixtures()) {
            JsonNode fixture = Violations.load(f);
            Path copy = dir.resolve("case-" + n++).resolve("data").resolve("runs").resolve(good.getFileName());
            copyTree(good, copy);
            Violations.apply(fixture, copy);
            Acceptance.Outcome o = Acceptance.check(new RunView(copy, copy.resolveSibling("work")),
                    Acceptance.named(fixture.path("invariant").asText()));
            assertThat(o.passed()).as(f.getFileName() + " (" + fixture.path("why").asText() + ") must break " + o.name()).isFalse();
            assertThat(o.examples()).isNotEmpty();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
