package dev.lakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.EnvConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lakehouse distill run} and {@code distill quarantine …} over a small day file, with a local server as journald. */
class DistillCommandTest {
    @TempDir
    Path home;

    static String run(LocalStack stack, String... args) {
        return LakehouseCliTest.run(stack, args);
    }

    /** Issue 29: an --out run never moves distilld's watermark, and the CLI honours DISTILLD_FLAGGED_PROVIDERS. */
    @Test
    void anOutRun_leavesTheDaemonsWatermark_andFlaggedProvidersAreHonoured() throws Exception {
        Path events = home.resolve("data/observerd/events");
        Files.createDirectories(events);
        Files.writeString(events.resolve("2026-11-30.jsonl"),
                "{\"event_id\":\"e1\",\"ts\":\"2026-11-30T10:00:00Z\",\"kind\":\"chat.call\",\"payload\":{\"provider\":\"badco\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"output\":\"Hello\"},\"received_at\":\"2026-11-30T10:00:00Z\"}\n");
        LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of("DISTILLD_FLAGGED_PROVIDERS", "badco")));
        Path out = home.resolve("adhoc");
        assertThat(run(stack, "distill", "run", "--out", out.toString())).startsWith("0\n").contains("\"flagged\" : 1");
        assertThat(out.resolve("watermark.json")).exists();
        assertThat(home.resolve("data/distilld/watermark.json")).doesNotExist();
        assertThat(Files.readString(out.resolve("sft/trl.jsonl"))).isEmpty();
        // the daemon's own next run (the CLI without --out) still reads the line
        assertThat(run(stack, "distill", "run")).startsWith("0\n").contains("\"evidence\" : 1");
    }

    /** Issue 29: the verbs compose — materialize, then export-sft, exports what was materialized; then export-rag adds to it. */
    @Test
    void materializeThenExportSft_exportsWhatWasMaterialized() throws Exception {
        Path events = home.resolve("data/observerd/events");
        Files.createDirectories(events);
        Files.writeString(events.resolve("2026-11-30.jsonl"),
                "{\"event_id\":\"e1\",\"ts\":\"2026-11-30T10:00:00Z\",\"kind\":\"chat.call\",\"payload\":{\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"Hi\"}],\"output\":\"Hello\",\"finish_reason\":\"stop\"}}\n");
        LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of()));
        assertThat(run(stack, "distill", "materialize")).startsWith("0\n").contains("\"evidence\" : 1");
        String runId = Files.readString(home.resolve("data/distilld/runs/latest")).strip();
        Path dir = home.resolve("data/distilld/runs").resolve(runId);
        assertThat(dir.resolve("sft/trl.jsonl")).doesNotExist();
        assertThat(run(stack, "distill", "export-sft")).startsWith("0\n").contains("continuing run " + runId);
        assertThat(Files.readAllLines(dir.resolve("sft/trl.jsonl"))).singleElement().satisfies(l -> assertThat(l).contains("Hello"));
        assertThat(run(stack, "distill", "export-rag", "--run", "latest")).startsWith("0\n");
        String summary = Files.readString(dir.resolve("summary.json"));
        assertThat(summary).contains("\"export-sft\"", "\"export-rag\"", "\"scored.jsonl\"");
        assertThat(Files.readAllLines(dir.resolve("sft/trl.jsonl"))).hasSize(1);   // rewritten byte for byte, not appended
        // an export verb with nothing materialized and not continued reads new observations (none): nothing, exit 0
        assertThat(run(stack, "distill", "export-sft")).startsWith("0\n").doesNotContain("continuing");
        assertThat(run(stack, "distill", "export-sft", "--run", "run-nope")).doesNotStartWith("0\n").contains("no such run");
    }

    @Test
    void aRun_thenReview_releasesThroughTheJournal_andRefusesWithoutIt() throws Exception {
        Path events = home.resolve("data/observerd/events");
        Files.createDirectories(events);
        Files.writeString(events.resolve("2026-11-30.jsonl"), String.join("\n",
                "{\"event_id\":\"e1\",\"ts\":\"2026-11-30T10:00:00Z\",\"kind\":\"chat.call\",\"payload\":{\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Hi\"}],\"output\":\"Hello\"},\"received_at\":\"2026-11-30T10:00:00Z\"}",
                "{not json",
                "{\"event_id\":\"e2\",\"ts\":\"2026-11-30T10:00:01Z\",\"kind\":\"no.such.kind\",\"payload\":{}}", ""));
        List<String> journaled = new CopyOnWriteArrayList<>();
        HttpServer journald = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        journald.createContext("/v1/journal/entries", x -> {
            journaled.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] ok = "{\"seq\":1}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(201, ok.length);
            x.getResponseBody().write(ok);
            x.close();
        });
        journald.start();
        try {
            LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_JOURNALD_URL",
                    "http://127.0.0.1:" + journald.getAddress().getPort())));
            assertThat(run(stack, "distill", "run")).startsWith("0\n").contains("\"quarantined\" : 2");
            String list = run(stack, "distill", "quarantine", "list");
            assertThat(list).startsWith("0\n").contains("bad_json", "unknown_kind", "2 quarantined line(s)");
            String bad = list.lines().filter(l -> l.contains("bad_json")).findFirst().orElseThrow().split("\\s+")[0];
            String unknown = list.lines().filter(l -> l.contains("unknown_kind")).findFirst().orElseThrow().split("\\s+")[0];
            assertThat(run(stack, "distill", "quarantine", "show", bad)).contains("{not json");
            assertThat(run(stack, "distill", "quarantine", "release", bad, "--line",
                    "{\"event_id\":\"e9\",\"ts\":\"2026-11-30T10:00:09Z\",\"kind\":\"chat.call\",\"payload\":{\"output\":\"x\"}}"))
                    .startsWith("0\n").contains("released " + bad);
            assertThat(journaled).singleElement().satisfies(j -> assertThat(j).contains("distill.quarantine.release", bad, "cli:"));
            LocalStack noJournal = new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_JOURNALD_URL", "http://127.0.0.1:9")));
            assertThat(run(noJournal, "distill", "quarantine", "drop", unknown)).startsWith("1\n").contains("nothing was decided");
            assertThat(run(stack, "distill", "quarantine", "list")).contains("released", "pending");
            assertThat(run(stack, "distill", "run")).startsWith("0\n").contains("\"lines\" : 1");
        } finally {
            journald.stop(0);
        }
    }

    static final Path FIXTURES = Path.of("..", "distillation", "fixtures").toAbsolutePath().normalize();

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"realistic", "pii_everywhere", "malformed", "no_successes", "duplicates",
            "out_of_order"})
    void auditFull_onEveryFixtureSet_passesPhases0to6(String set) {
        LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of("DISTILLD_OBSERVATIONS", FIXTURES.resolve(set).resolve("observations")
                .toString())));
        assertThat(run(stack, "distill", "run", "--full")).startsWith("0\n");
        String audit = run(stack, "distill", "audit-full", "--phases", "0-6");
        assertThat(audit).as(audit).startsWith("0\n").contains("6 acceptance", "passed; reports in");
        assertThat(audit.lines().filter(l -> l.matches("[0-6] .*")).toList()).hasSize(7).allMatch(l -> l.contains(" pass "));
    }

    @Test
    void auditFull_failsOnABrokenRun_replayMarksADownProvider_andBadOptionsExit2() throws Exception {
        LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of("DISTILLD_OBSERVATIONS",
                FIXTURES.resolve("realistic").resolve("observations").toString(), "LAKEHOUSE_CHATD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_VALIDATORD_URL", "http://127.0.0.1:9")));
        Path out = home.resolve("broken");
        assertThat(run(stack, "distill", "run", "--full", "--out", out.toString())).startsWith("0\n");
        Path evidence = out.resolve("evidence.jsonl");
        Files.writeString(evidence, Files.readAllLines(evidence).get(0) + "\n", java.nio.file.StandardOpenOption.APPEND);   // a record twice
        String audit = run(stack, "distill", "audit-full", "--run-dir", out.toString(), "--phases", "5,6");
        assertThat(audit).startsWith("1\n").contains("5 run summaries", "fail", "6 acceptance", "FAILED");
        try (var reports = Files.list(out.resolve("audits"))) {
            Path report = reports.findFirst().orElseThrow();
            assertThat(Files.readString(report.resolve("report.md"))).contains("evidence_unique", "**fail**");
            assertThat(Files.readString(report.resolve("report.json"))).contains("\"passed\" : false");
        }
        assertThat(run(stack, "distill", "replay", "--run-dir", out.toString(), "--sample", "3")).startsWith("2\n")
                .contains("no verdict beside it", "audit-full");
        Path good = home.resolve("good");
        assertThat(run(stack, "distill", "run", "--full", "--out", good.toString())).startsWith("0\n");
        String replay = run(stack, "distill", "replay", "--run-dir", good.toString(), "--sample", "3", "--rate", "0");
        assertThat(replay).startsWith("1\n").contains("\"error\" : 3");
        try (var replays = Files.list(good.resolve("replays"))) {
            Path r = replays.findFirst().orElseThrow();
            assertThat(Files.readString(r.resolve("replay_runs.jsonl"))).contains("peer_unavailable");
        }
        assertThat(run(stack, "distill", "audit-full", "--phases", "9")).startsWith("2\n").contains("phases");
        assertThat(run(stack, "distill", "audit-full", "--run", "run-20990101T000000Z-dead")).startsWith("2\n").contains("no distill run");
        assertThat(run(stack, "distill", "replay", "--run-dir", out.toString(), "--sample", "0")).startsWith("2\n").contains("sample");
    }
}
