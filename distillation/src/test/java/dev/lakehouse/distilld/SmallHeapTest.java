package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run over large records in a small heap, in a JVM of its own that stops at its first OutOfMemoryError as the
 * daemon's does: 200 chat calls of ~400 KB each (80 MB of lines) through every stage in 64 MiB. Scoring holds two
 * batches of evidence lines at a time; cut at 1,000 records alone, a batch of these would be all of them.
 */
class SmallHeapTest {
    @TempDir
    Path dir;

    @Test
    void largeRecords_goThroughEveryStage_inA64MiBHeap() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        String body = "word ".repeat(80_000);
        try (BufferedWriter w = Files.newBufferedWriter(obs.resolve("2026-11-30.jsonl"))) {
            for (int i = 0; i < 200; i++) {
                w.write(PipelineTest.event("big-" + i, "2026-11-30T10:%02d:%02dZ".formatted(i / 60, i % 60), "chat.call", null,
                        PipelineTest.chat("Tell me a long story, number " + i, "Story " + i + ": " + body)));
                w.write('\n');
            }
        }
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), SmallHeapTest.class.getName(),
                obs.toString(), dir.resolve("run").toString()).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run ends").isTrue();
        String out = Files.readString(dir.resolve("out.txt"));
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("evidence 200, sft 200");
    }

    /** The run, in the child JVM: every stage over {@code args[0]} into {@code args[1]}, on two threads. */
    public static void main(String[] args) throws IOException {
        Path run = Path.of(args[1]);
        RunSummary s = Pipeline.run(new Pipeline.Options(Path.of(args[0]), run, run.resolveSibling("watermark.json"), Pipeline.Stage.ALL,
                null, true, 2, Set.of(), null), (stage, done, total) -> { });
        System.out.println("evidence " + s.materialize().evidence() + ", sft " + s.stages().export().files().get("sft/trl.jsonl").records());
    }
}
