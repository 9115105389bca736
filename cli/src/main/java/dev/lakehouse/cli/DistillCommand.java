package dev.lakehouse.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.distilld.Baselines;
import dev.lakehouse.distilld.Pipeline;
import dev.lakehouse.distilld.QuarantineReview;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse distill materialize|score|export-sft|export-rag|export-preference|run}: the distillation pipeline
 * in this process, over this checkout's observations, with a progress bar (docs/distilld.md). It shares the data
 * directory's watermark and lock with distilld, so a CLI run and a daemon run never overlap.
 */
@Command(name = "distill", description = "The distillation pipeline: observations -> evidence -> scores -> datasets.",
        subcommands = {DistillCommand.Materialize.class, DistillCommand.Score.class, DistillCommand.ExportSft.class,
                DistillCommand.ExportRag.class, DistillCommand.ExportPreference.class, DistillCommand.Run.class,
                DistillCommand.Quarantine.class, DistillCommand.Audit.class, DistillCommand.Replay.class, DistillCommand.AuditFull.class})
final class DistillCommand extends LakehouseCli.Group {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);


    abstract static class Stage extends LakehouseCli.Base {
        @Option(names = "--since", description = "only events observed from this RFC 3339 time")
        String since;

        @Option(names = "--full", description = "read every observation again, not only those after the watermark")
        boolean full;

        @Option(names = "--out", description = "the run's directory (default: <data>/distilld/runs/cli-<time>); a run with --out "
                + "keeps its watermark in that directory and never moves distilld's")
        Path out;

        @Option(names = "--threads", defaultValue = "0", description = "scoring threads (default: the cores)")
        int threads;

        @Option(names = "--run", description = "score and export a run already materialized (an id, or 'latest') instead of new "
                + "observations; without it, a latest run that was only materialized is continued")
        String run;

        abstract Set<Pipeline.Stage> stages();

        /**
         * The run to continue instead of materializing: {@code --run} (an id or {@code latest}), or — for a verb past
         * materialize, without {@code --out}/{@code --since}/{@code --full} — the latest run when it was only materialized.
         */
        Path continued(Path runs) throws java.io.IOException {
            if (stages().equals(EnumSet.of(Pipeline.Stage.MATERIALIZE))) {
                if (run != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--run: materialize reads new observations; "
                            + "it does not continue a run");
                }
                return null;
            }
            Path latest = runs.resolve("latest");
            if (run != null) {
                String id = run.equals("latest") && java.nio.file.Files.exists(latest) ? java.nio.file.Files.readString(latest).strip() : run;
                if (!id.matches("(run|cli)-[0-9A-Za-z-]{1,64}") || !java.nio.file.Files.isDirectory(runs.resolve(id))) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--run " + run + ": no such run in " + runs);
                }
                return runs.resolve(id);
            }
            if (out != null || since != null || full || !java.nio.file.Files.exists(latest)) {
                return null;
            }
            Path last = runs.resolve(java.nio.file.Files.readString(latest).strip());
            return java.nio.file.Files.exists(last.resolve("evidence.jsonl")) && !java.nio.file.Files.exists(last.resolve("scored.jsonl"))
                    ? last : null;
        }

        /** The providers distilld's configuration flags ({@code DISTILLD_FLAGGED_PROVIDERS}): a CLI run honours them too. */
        Set<String> flagged() {
            return java.util.Arrays.stream(stack.env().string("DISTILLD_FLAGGED_PROVIDERS", "").split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        }

        @Override
        public Integer call() throws Exception {
            Instant from;
            try {
                from = FieldError.time(since, "--since");
            } catch (FieldError e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--since " + e.getMessage());
            }
            Path data = stack.env().path("LAKEHOUSE_DATA_DIR", stack.home().resolve("data"));
            Path distilld = data.resolve("distilld");
            Path runDir = out != null ? out : distilld.resolve("runs").resolve("cli-" + ID.format(Instant.now()));
            Path observations = stack.env().path("DISTILLD_OBSERVATIONS", data.resolve("observerd").resolve("events"));
            int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            Path roster = stack.rosterPath();
            Path continued = continued(distilld.resolve("runs"));
            if (continued != null) {
                out().println("continuing run " + continued.getFileName() + " (materialized before): " + stages());
                dev.lakehouse.distilld.RunSummary summary;
                try (ProgressBar bar = CliProgress.bar("distill", 1).build()) {
                    summary = Pipeline.continueRun(continued, stages(), n, flagged(), roster, distilld.resolve("audit_baselines.jsonl"),
                            (stage, done, total) -> {
                                bar.setExtraMessage(" " + stage);
                                bar.maxHint(Math.max(1, total));
                                bar.stepTo(Math.min(done, Math.max(1, total)));
                            });
                }
                out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
                out().println("outputs in " + continued);
                return 0;
            }
            dev.lakehouse.distilld.RunSummary summary;
            try (ProgressBar bar = CliProgress.bar("distill", 1).build()) {
                // an --out run is the operator's own: its watermark (and lock) live in its directory, never moving distilld's
                Path watermark = out != null ? out.toAbsolutePath().resolve("watermark.json") : distilld.resolve("watermark.json");
                summary = Pipeline.run(new Pipeline.Options(observations, runDir, watermark, stages(), from, full, n,
                        flagged(), roster), (stage, done, total) -> {
                            bar.setExtraMessage(" " + stage);
                            bar.maxHint(Math.max(1, total));
                            bar.stepTo(Math.min(done, Math.max(1, total)));
                        });
            }
            if (out == null) {   // a run in the runs directory becomes the latest, for review
                dev.lakehouse.common.AtomicFile.write(distilld.resolve("runs").resolve("latest"),
                        runDir.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
            out().println("outputs in " + runDir);
            return summary.stages().materialize().conserved() ? 0 : 1;
        }
    }

    @Command(name = "materialize", description = "Observations -> evidence and quarantine.")
    static final class Materialize extends Stage {
        @Override
        Set<Pipeline.Stage> stages() {
            return EnumSet.of(Pipeline.Stage.MATERIALIZE);
        }
    }

    @Command(name = "score", description = "... and a category for each evidence record.")
    static final class Score extends Stage {
        @Override
        Set<Pipeline.Stage> stages() {
            return EnumSet.of(Pipeline.Stage.MATERIALIZE, Pipeline.Stage.SCORE);
        }
    }

    @Command(name = "export-sft", description = "... and the SFT files (TRL and OpenAI formats).")
    static final class ExportSft extends Stage {
        @Override
        Set<Pipeline.Stage> stages() {
            return EnumSet.of(Pipeline.Stage.MATERIALIZE, Pipeline.Stage.SCORE, Pipeline.Stage.EXPORT_SFT);
        }
    }

    @Command(name = "export-rag", description = "... and the RAG files (BEIR layout).")
    static final class ExportRag extends Stage {
        @Override
        Set<Pipeline.Stage> stages() {
            return EnumSet.of(Pipeline.Stage.MATERIALIZE, Pipeline.Stage.SCORE, Pipeline.Stage.EXPORT_RAG);
        }
    }

    @Command(name = "export-preference", description = "... and the preference files (TRL and OpenAI DPO formats).")
    static final class ExportPreference extends Stage {
        @Override
        Set<Pipeline.Stage> stages() {
            return EnumSet.of(Pipeline.Stage.MATERIALIZE, Pipeline.Stage.SCORE, Pipeline.Stage.EXPORT_PREFERENCE);
        }
    }

    @Command(name = "run", description = "Every stage.")
    static final class Run extends Stage {
        @Override
        Set<Pipeline.Stage> stages() {
            return Pipeline.Stage.ALL;
        }
    }

    /** {@code distill quarantine list|show|release|drop}: review what a run quarantined; every decision journaled (journald). */
    @Command(name = "quarantine", description = "Review a run's quarantined lines: list, show, release (as is or fixed), drop.",
            subcommands = {QList.class, QShow.class, QRelease.class, QDrop.class})
    static final class Quarantine extends LakehouseCli.Group {
    }

    abstract static class Review extends LakehouseCli.Base {
        @Option(names = "--run", description = "the run (default: the latest)")
        String run;

        QuarantineReview review() {
            return new QuarantineReview(stack.env().path("LAKEHOUSE_DATA_DIR", stack.home().resolve("data")).resolve("distilld"));
        }

        abstract int act(QuarantineReview review) throws Exception;

        @Override
        public Integer call() throws Exception {
            try {
                return act(review());
            } catch (ApiException e) {
                err().println(e.detail());
                return 1;
            } catch (IOException e) {   // journald down or refusing: nothing was decided
                err().println(e.getMessage());
                return 1;
            }
        }

        /** journald's {@code POST /v1/journal/entries}; a refusal or journald down stops the decision. */
        QuarantineReview.Journal journal() {
            URI journald = stack.env().url("LAKEHOUSE_JOURNALD_URL", stack.url(DaemonId.JOURNALD));
            return (type, subject, data) -> {
                ObjectNode entry = Json.mapper().createObjectNode().put("type", type).put("actor", actor()).put("subject", subject);
                entry.set("data", data);
                HttpResponse<String> r;
                try {
                    r = CliHttp.client().send(stack.toDaemon(journald.resolve("/v1/journal/entries")).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(entry)))
                            .build(), HttpResponse.BodyHandlers.ofString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while journaling", e);
                } catch (IOException e) {
                    throw new IOException("journald at " + journald + " did not answer (" + e + "); nothing was decided", e);
                }
                if (r.statusCode() / 100 != 2) {
                    throw new IOException("journald refused the entry (" + r.statusCode() + " " + r.body() + "); nothing was decided");
                }
            };
        }

        static String actor() {
            return "cli:" + System.getProperty("user.name", "unknown");
        }
    }


    @Command(name = "list", description = "The run's quarantined lines, with their reason and review status.")
    static final class QList extends Review {
        @Option(names = "--reason", description = "only this reason (bad_json, bad_utf8, too_large, missing_field, schema_violation, "
                + "unknown_kind, orphan_attempt)")
        String reason;

        @Override
        int act(QuarantineReview review) throws Exception {
            List<QuarantineReview.Item> items = review.list(run, reason);
            out().printf("%-24s %-9s %-17s %s%n", "ID", "STATUS", "REASON", "WHERE / DETAIL");
            for (QuarantineReview.Item i : items) {
                out().printf("%-24s %-9s %-17s %s:%d %s%n", i.quarantined().quarantineId(), i.status(), i.quarantined().reason(),
                        i.quarantined().file(), i.quarantined().offset(), abbreviate(i.quarantined().detail()));
            }
            out().println(items.size() + " quarantined line(s) in run " + (items.isEmpty() ? review.run(run) : items.get(0).run()));
            return 0;
        }
    }

    @Command(name = "show", description = "One quarantined line: why, where, and the raw line.")
    static final class QShow extends Review {
        @CommandLine.Parameters(index = "0", description = "the quarantine id")
        String id;

        @Override
        int act(QuarantineReview review) throws Exception {
            QuarantineReview.Item i = review.show(run, id);
            out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(i));
            return 0;
        }
    }

    @Command(name = "release", description = "Release a line (as it was, or fixed) for the next run to materialize.")
    static final class QRelease extends Review {
        @CommandLine.Parameters(index = "0", description = "the quarantine id")
        String id;

        @Option(names = "--line", description = "the fixed line (one line of JSON)")
        String line;

        @Option(names = "--line-file", description = "a file holding the fixed line")
        Path lineFile;

        @Override
        int act(QuarantineReview review) throws Exception {
            String fixed = lineFile != null ? java.nio.file.Files.readString(lineFile).strip() : line;
            QuarantineReview.Decision d = review.release(run, id, fixed, actor(), journal());
            out().println("released " + d.quarantineId() + " (journaled); the next run materializes it");
            return 0;
        }
    }

    @Command(name = "drop", description = "Drop a line for good.")
    static final class QDrop extends Review {
        @CommandLine.Parameters(index = "0", description = "the quarantine id")
        String id;

        @Override
        int act(QuarantineReview review) throws Exception {
            QuarantineReview.Decision d = review.drop(run, id, actor(), journal());
            out().println("dropped " + d.quarantineId() + " (journaled)");
            return 0;
        }
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** {@code distill audit compare}: a run's drift against a baseline (docs/distilld.md, "audit baselines"). */
    @Command(name = "audit", description = "Audits of distill runs.", subcommands = {AuditCompare.class})
    static final class Audit extends LakehouseCli.Group {
    }

    @Command(name = "compare", description = "Compare a run's baseline with an earlier one; exit 1 when a threshold is crossed.")
    static final class AuditCompare extends LakehouseCli.Base {
        @Option(names = "--run", description = "the run to check (default: the newest baseline)")
        String run;

        @Option(names = "--against", description = "the baseline run (default: the one before --run)")
        String against;

        @Option(names = "--thresholds", description = "a threshold file {\"defaults\":0.5,\"metrics\":{…},\"min_count\":20} (default: 0.5 "
                + "for every metric, counts of at least 20)")
        Path thresholds;

        @Override
        public Integer call() throws Exception {
            Path file = stack.env().path("LAKEHOUSE_DATA_DIR", stack.home().resolve("data")).resolve("distilld/audit_baselines.jsonl");
            Baselines.Thresholds t;
            List<Baselines.Baseline> all;
            try {
                t = thresholds == null ? new Baselines.Thresholds(null, null) : Baselines.Thresholds.load(thresholds);
                all = Baselines.read(file);
            } catch (dev.lakehouse.common.ConfigException | IOException e) {
                err().println(e.getMessage());
                return 2;
            }
            int at = run == null ? all.size() - 1 : indexOf(all, run);
            int base = against == null ? at - 1 : indexOf(all, against);
            if (at < 0 || base < 0) {
                err().println("no baseline to compare: " + (at < 0 ? "run " + (run == null ? "(none yet)" : run) : "a run before it")
                        + " is not in " + file);
                return 2;
            }
            List<Baselines.Drift> drift = Baselines.compare(all.get(base), all.get(at), t);
            long crossed = drift.stream().filter(Baselines.Drift::crossed).count();
            out().printf("%s against %s: %d metrics, %d over their threshold%n", all.get(at).run(), all.get(base).run(), drift.size(), crossed);
            for (Baselines.Drift d : drift) {
                if (d.crossed()) {
                    out().printf("  %-60s %12.2f -> %12.2f %-14s change %s > %.2f%n", d.metric(), d.baseline(), d.current(), d.unit(),
                            Double.isInfinite(d.change()) ? "new" : String.format("%.2f", d.change()), d.threshold());
                }
            }
            return crossed == 0 ? 0 : 1;
        }

        private static int indexOf(List<Baselines.Baseline> all, String run) {
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).run().equals(run)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The run a replay or an audit is about: {@code --run-dir}, or {@code --run} (default: the latest) in the data directory. */
    abstract static class OnRun extends LakehouseCli.Base {
        @Option(names = "--run", description = "the run (default: the latest)")
        String run;

        @Option(names = "--run-dir", description = "a run directory anywhere (a run made with --out)")
        Path runDir;

        @Option(names = "--concurrency", defaultValue = "4", description = "calls at a time (default ${DEFAULT-VALUE})")
        int concurrency;

        @Option(names = "--provider", description = "replay against this provider (default: the one each record names)")
        String provider;

        @Option(names = "--model", description = "replay against this model")
        String model;

        Path runDir() throws IOException {
            if (runDir != null) {
                if (!java.nio.file.Files.exists(runDir.resolve("summary.json"))) {
                    throw new ApiException.NotFound("run_not_found", runDir + " is not a finished distill run (no summary.json)");
                }
                return runDir;
            }
            Path runs = stack.env().path("LAKEHOUSE_DATA_DIR", stack.home().resolve("data")).resolve("distilld").resolve("runs");
            return runs.resolve(dev.lakehouse.distilld.Runs.named(runs, run));
        }

        dev.lakehouse.distilld.ReplayPeers peers() {
            return new dev.lakehouse.distilld.ReplayPeers(stack.env().url("LAKEHOUSE_CHATD_URL", stack.url(DaemonId.CHATD)),
                    stack.env().url("LAKEHOUSE_VALIDATORD_URL", stack.url(DaemonId.VALIDATORD)), Duration.ofMinutes(2),
                    stack.internalToken().orElse(null));
        }

        static ProgressBar bar(String task) {
            return CliProgress.bar(task, 1).build();
        }

        abstract int act() throws Exception;

        @Override
        public Integer call() throws Exception {
            try {
                return act();
            } catch (ApiException e) {   // a bad option, a run that does not exist
                err().println(e.detail());
                return 2;
            } catch (FieldError e) {
                err().println(e.field() + ": " + e.getMessage());
                return 2;
            }
        }
    }

    /** {@code distill replay}: recorded prompts against today's chatd and validatord (docs/distilld.md, "replay"). */
    @Command(name = "replay", description = "Replay a run's recorded prompts against today's providers and validators; exit 1 on a "
            + "regression or an error.")
    static final class Replay extends OnRun {
        @Option(names = "--class", description = "only this class (repeatable): chat_answer, fill_generation, email_drafting, "
                + "retrieval_answer, fill_validation, email_validation")
        List<String> classes;

        @Option(names = "--since", description = "only records observed from this RFC 3339 time")
        String since;

        @Option(names = "--until", description = "only records observed before this RFC 3339 time")
        String until;

        @Option(names = "--sample", defaultValue = "100", description = "records to replay, a seeded sample (default ${DEFAULT-VALUE})")
        int sample;

        @Option(names = "--seed", defaultValue = "1", description = "the sample's seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--rate", defaultValue = "10", description = "calls a second at most, 0 for no limit (default ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--resume", description = "a stopped replay of the run, to finish (its recorded options hold)")
        String resume;

        @Override
        int act() throws Exception {
            var o = new dev.lakehouse.distilld.DistilldWire.ReplayRequest(null, classes, since, until, sample, seed, concurrency,
                    rate, provider, model).options();   // the options first: a bad one is said before anything else
            Path dir = runDir();
            String id = resume != null ? resume : dev.lakehouse.distilld.Jobs.newId("replay");
            dev.lakehouse.distilld.ReplaySummary s;
            try (ProgressBar bar = bar("replay")) {
                s = dev.lakehouse.distilld.Replay.run(dir, id, o, peers(), (done, total) -> {
                    bar.maxHint(Math.max(1, total));
                    bar.stepTo(done);
                });
            }
            out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(s));
            out().println("replay in " + dir.resolve("replays").resolve(id));
            return s.byDiff().getOrDefault("regressed", 0L) + s.errors() == 0 ? 0 : 1;
        }
    }

    /** {@code distill audit-full}: phases 0–7 of a run, with a JSON and a Markdown report (docs/distilld.md, "audit-full"). */
    @Command(name = "audit-full", description = "Audit a run: phases 0-7 (inventory, schema, materializer dry-run, scorer, export "
            + "determinism, run summaries, acceptance, replay); exit 1 when a phase fails.")
    static final class AuditFull extends OnRun {
        @Option(names = "--phases", defaultValue = "all", description = "all, one (3), a range (0-6) or a list (1,4,7) (default ${DEFAULT-VALUE})")
        String phases;

        @Option(names = "--replay-sample", defaultValue = "20", description = "records phase 7 replays, 0 to skip it (default ${DEFAULT-VALUE})")
        int replaySample;

        @Option(names = "--seed", defaultValue = "1", description = "phase 7's sample seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--json", description = "print the JSON report instead of the table")
        boolean json;

        @Override
        int act() throws Exception {
            var o = new dev.lakehouse.distilld.DistilldWire.AuditRequest(null, phases, replaySample, seed, concurrency, provider,
                    model).options();
            Path dir = runDir();
            String id = dev.lakehouse.distilld.Jobs.newId("audit");
            dev.lakehouse.distilld.AuditReport r;
            try (ProgressBar bar = bar("audit")) {
                r = dev.lakehouse.distilld.Audit.run(dir, id, o, peers(), (phase, done, total) -> {
                    bar.setExtraMessage(" " + phase);
                    bar.maxHint(Math.max(1, total));
                    bar.stepTo(done);
                });
            }
            if (json) {
                out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            } else {
                for (dev.lakehouse.distilld.Audit.Phase p : r.phases()) {
                    out().printf("%d %-22s %-7s %6d ms  %s%n", p.phase(), p.name(), p.status(), p.tookMs(),
                            p.findings().isEmpty() ? "" : abbreviate(p.findings().get(0)));
                }
                out().println((r.passed() ? "passed" : "FAILED") + "; reports in " + dir.resolve("audits").resolve(id)
                        + " (report.json, report.md)");
            }
            return r.passed() ? 0 : 1;
        }
    }
}
