package dev.lakehouse.distilld;

import static dev.lakehouse.distilld.PipelineTest.chat;
import static dev.lakehouse.distilld.PipelineTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's dedup set in bounded memory, checked against a {@link TreeSet} (the oracle): every answer the same whether
 * the prefixes stayed in memory or were spilled many times, the order it gives back the oracle's, and the materializer's
 * output the same with a limit of three as with the default.
 */
class RunDedupTest {
    @TempDir
    Path dir;

    @Test
    void answersAsASortedSetDoes_acrossManySpills_includingTheExtremes() throws IOException {
        Random rng = new Random(7);
        long[] pool = new long[20_000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = rng.nextLong();
        }
        pool[0] = Long.MIN_VALUE;
        pool[1] = Long.MAX_VALUE;
        pool[2] = 0;
        pool[3] = -1;
        TreeSet<Long> oracle = new TreeSet<>();
        Path spills = dir.resolve("spill-here");
        try (RunDedup set = new RunDedup(spills, 700)) {
            for (int i = 0; i < 60_000; i++) {
                long p = i < 4 ? pool[i] : pool[rng.nextInt(pool.length)];   // each drawn three times on average
                boolean had = set.contains(p);
                assertThat(had).as("prefix %d at draw %d", p, i).isEqualTo(oracle.contains(p));
                if (!had) {
                    set.add(p);
                    oracle.add(p);
                }
            }
            for (int i = 0; i < 5_000; i++) {   // never drawn: neither holds them
                long p = rng.nextLong();
                assertThat(set.contains(p)).isEqualTo(oracle.contains(p));
            }
            assertThat(set.spilled()).as("the limit made it spill").isGreaterThan(15_000);
            assertThat(set.size()).isEqualTo(oracle.size());
            assertThat(drain(set.sorted())).containsExactlyElementsOf(oracle);
            assertThat(drain(set.sorted())).as("a second time").containsExactlyElementsOf(oracle);
            assertThat(spills).isDirectory();
        }
        assertThat(spills).doesNotExist();
    }

    @Test
    void withoutADirectory_spillsIntoATemporaryOne_thatCloseRemoves() throws IOException {
        RunDedup set = new RunDedup(null, 2);
        for (long p = 10; p > 0; p--) {
            set.add(p);
        }
        assertThat(set.spilled()).isEqualTo(10);
        assertThat(drain(set.sorted())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(set.contains(11)).isFalse();
        set.close();
        assertThat(set.size()).isEqualTo(10);
    }

    @Test
    void aSpillThatCannotBeWritten_failsTheRunSayingWhy_withoutTheServersPath() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("taken"), "a file where the spill directory goes");
        Path day = Files.createDirectories(dir.resolve("obs")).resolve("2026-11-30.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add(event("e" + i, "2026-11-30T10:00:%02dZ".formatted(i), "chat.call", null, chat("Q" + i, "A" + i)));
        }
        Files.write(day, lines);
        Materializer m = new Materializer(sink(new ArrayList<>()), null).dedupIn(notADirectory.resolve("spill"), 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.run(List.of(day), Map.of(), n -> { }))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot spill the run's dedup set past 2 prefixes")
                .hasMessageNotContaining(dir.toString());
        assertThat(notADirectory).isRegularFile();
    }

    @Test
    void theNextGeneration_isTheSameWhetherTheRunSpilledOrNot() throws IOException {
        Random rng = new Random(11);
        Path state = Files.createDirectories(dir.resolve("state"));
        try (RunDedup spilling = new RunDedup(dir.resolve("a"), 5); RunDedup whole = new RunDedup(dir.resolve("b"), 1 << 20)) {
            for (int i = 0; i < 2_000; i++) {
                long p = rng.nextLong();
                spilling.add(p);
                whole.add(p);
            }
            DedupHistory.EMPTY.writeMerged(state, "dedup-1.bin", spilling::sorted);
            DedupHistory.EMPTY.writeMerged(state, "dedup-2.bin", whole::sorted);
        }
        assertThat(Files.readAllBytes(state.resolve("dedup-1.bin"))).isEqualTo(Files.readAllBytes(state.resolve("dedup-2.bin")));
        DedupHistory earlier = DedupHistory.open(state, "dedup-1.bin");
        assertThat(earlier.size()).isEqualTo(2_000);
        try (RunDedup next = new RunDedup(dir.resolve("c"), 3)) {   // the next run: half again, half new
            Random again = new Random(11);
            for (int i = 0; i < 1_000; i++) {
                next.add(again.nextLong());
                next.add(rng.nextLong());
            }
            earlier.writeMerged(state, "dedup-3.bin", next::sorted);
        }
        assertThat(DedupHistory.open(state, "dedup-3.bin").size()).as("the repeated thousand once").isEqualTo(3_000);
    }

    @Test
    void theMaterializer_makesTheSameEvidence_spillingEveryThreePrefixes() throws IOException {
        Path day = Files.createDirectories(dir.resolve("obs")).resolve("2026-11-30.jsonl");
        List<String> lines = new ArrayList<>();
        Random rng = new Random(3);
        for (int i = 0; i < 400; i++) {
            int q = rng.nextInt(120);   // questions repeat: duplicates of records made before and after a spill
            lines.add(event("e" + i, "2026-11-30T10:%02d:%02dZ".formatted(i / 60, i % 60), "chat.call", null,
                    chat("Which shift suits W" + q + "?", "Nights, " + q + ".")));
        }
        Files.write(day, lines);
        List<String> small = new ArrayList<>();
        List<String> large = new ArrayList<>();
        Materializer.Result a = materialize(day, small, new Materializer(sink(small), null).dedupIn(dir.resolve("s"), 3));
        Materializer.Result b = materialize(day, large, new Materializer(sink(large), null));
        assertThat(a.made().spilled()).isGreaterThan(100);
        assertThat(small).isEqualTo(large).hasSize((int) a.evidence());
        assertThat(a.duplicateEvents()).isEqualTo(b.duplicateEvents()).isPositive();
        assertThat(drain(a.made().sorted())).isEqualTo(drain(b.made().sorted()));
        a.made().close();
        b.made().close();
        assertThat(dir.resolve("s")).doesNotExist();
    }

    private static Materializer.Result materialize(Path day, List<String> out, Materializer m) throws IOException {
        return m.run(List.of(day), Map.of(), n -> { });
    }

    private static Materializer.Sink sink(List<String> ids) {
        return new Materializer.Sink() {
            @Override
            public void evidence(Evidence e) {
                ids.add(e.evidenceId());
            }

            @Override
            public void quarantine(Quarantined q) {
                ids.add("quarantined " + q.quarantineId());
            }
        };
    }

    private static List<Long> drain(PrimitiveIterator.OfLong it) {
        List<Long> out = new ArrayList<>();
        it.forEachRemaining((long v) -> out.add(v));
        return out;
    }
}
