package dev.lakehouse.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.distillation.distilld.Pipeline;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
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
                DistillCommand.ExportRag.class, DistillCommand.ExportPreference.class, DistillCommand.Run.class})
final class DistillCommand implements Runnable {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Stage extends LakehouseCli.Base {
        @Option(names = "--since", description = "only events observed from this RFC 3339 time")
        String since;

        @Option(names = "--full", description = "read every observation again, not only those after the watermark")
        boolean full;

        @Option(names = "--out", description = "the run's directory (default: <data>/distilld/runs/cli-<time>)")
        Path out;

        @Option(names = "--threads", defaultValue = "0", description = "scoring threads (default: the cores)")
        int threads;

        abstract Set<Pipeline.Stage> stages();

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
            ObjectNode summary;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("distill").setInitialMax(1).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                summary = Pipeline.run(new Pipeline.Options(observations, runDir, distilld.resolve("watermark.json"), stages(), from, full, n,
                        Set.of()), (stage, done, total) -> {
                            bar.setExtraMessage(" " + stage);
                            bar.maxHint(Math.max(1, total));
                            bar.stepTo(Math.min(done, Math.max(1, total)));
                        });
            }
            out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
            out().println("outputs in " + runDir);
            return summary.path("stages").path("materialize").path("conserved").asBoolean() ? 0 : 1;
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
}
