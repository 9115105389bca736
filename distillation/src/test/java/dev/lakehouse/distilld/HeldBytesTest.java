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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The materializer's windows are bounded by the bytes of the lines they hold, not only by their counts: chat calls
 * waiting for an iterate run, retrievals waiting for their chat call and open iterate runs with large lines are let go
 * (eldest first, each as its count bound lets it go) once together they pass the limit, and every line still ends in
 * exactly one place. Under the limit nothing changes: the same records as with no byte bound at all.
 */
class HeldBytesTest {
    private static final String BIG = "x".repeat(10_000);

    @TempDir
    Path dir;

    /** Iterate runs whose first attempt (10 KB) fails and whose second, after every run's first, is valid. */
    private Path runs(int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            lines.add(event("a" + r, ts(r), "iterate.attempt", null, attempt("run-" + r, 1, BIG, false)));
        }
        for (int r = 0; r < count; r++) {
            lines.add(event("b" + r, ts(count + r), "iterate.attempt", null, attempt("run-" + r, 2, "{}", true)));
        }
        return write(lines);
    }

    @Test
    void openRunsPastTheLimit_areClosedEldestFirst_andTheirLaterAttemptsAreOrphans() throws IOException {
        Path day = runs(50);
        List<Evidence> held = new ArrayList<>();
        List<Quarantined> orphans = new ArrayList<>();
        Materializer.Result r = new Materializer(sink(held, orphans), null).heldBytes(100_000).run(List.of(day), Map.of(), n -> { });
        long corrected = held.stream().filter(e -> e.content().path("attempts").size() == 2).count();
        assertThat(corrected).as("runs still open when their valid attempt came: at most what 100 KB holds").isBetween(1L, 10L);
        assertThat(held).as("every run is one record").hasSize(50);
        assertThat(orphans).hasSize(50 - (int) corrected).allMatch(q -> q.reason() == Quarantined.Reason.ORPHAN_ATTEMPT);
        assertThat(held.subList(0, 50 - (int) corrected)).as("the eldest closed first, as they were")
                .allMatch(e -> e.content().path("attempts").size() == 1 && e.content().path("attempts").path(0).path("n").asInt() == 1);
        assertThat(r.conserved()).isTrue();

        List<Evidence> unbounded = new ArrayList<>();
        Materializer.Result all = new Materializer(sink(unbounded, new ArrayList<>()), null).run(List.of(day), Map.of(), n -> { });
        assertThat(unbounded).as("within the default limit (500 KB held)").hasSize(50)
                .allMatch(e -> e.content().path("attempts").size() == 2);
        assertThat(all.quarantined()).isZero();
    }

    @Test
    void heldChatCallsAndRetrievals_areLetGoAsTheirCountBoundsLetThemGo() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {   // chat calls under a request id no iterate run claims, and retrievals no call uses
            lines.add(event("c" + i, ts(2 * i), "chat.call", "rq-c" + i, chat("Question " + i, BIG)));
            lines.add(event("r" + i, ts(2 * i + 1), "retrieve", "rq-r" + i, "{\"query\":\"q" + i + "\",\"corpora\":[\"jobs\"],\"hits\":[{"
                    + "\"corpus\":\"jobs\",\"id\":\"j" + i + "~0\",\"doc_id\":\"j" + i + "\",\"score\":0.1,\"raw_score\":0.9,\"text\":\"" + BIG + "\"}]}"));
        }
        lines.add(event("late", ts(100), "chat.call", "rq-r39", chat("Which?", "The last one.")));   // still joins the newest retrieval
        Path day = write(lines);
        List<Evidence> bounded = new ArrayList<>();
        Materializer.Result r = new Materializer(sink(bounded, new ArrayList<>()), null).heldBytes(50_000).run(List.of(day), Map.of(), n -> { });
        List<Evidence> unbounded = new ArrayList<>();
        new Materializer(sink(unbounded, new ArrayList<>()), null).run(List.of(day), Map.of(), n -> { });
        assertThat(r.conserved()).isTrue();
        assertThat(ids(bounded)).as("the same records, let go sooner and so in another order").containsExactlyInAnyOrderElementsOf(ids(unbounded));
        assertThat(ids(bounded)).as("bounded: written as they were let go, while reading").isNotEqualTo(ids(unbounded));
        assertThat(bounded).filteredOn(e -> e.type() == Evidence.Type.RETRIEVAL && !e.content().path("answer").isNull()).hasSize(1);
    }

    private static List<String> ids(List<Evidence> records) {
        return records.stream().map(Evidence::evidenceId).toList();
    }

    private static String ts(int second) {
        return "2026-11-30T10:%02d:%02dZ".formatted(second / 60, second % 60);
    }

    private static String attempt(String run, int n, String output, boolean valid) {
        return "{\"iteration_id\":\"" + run + "\",\"n\":" + n + ",\"kind\":\"fill\",\"instruction\":\"Do it\",\"output\":\"" + output
                + "\",\"violations\":[],\"valid\":" + valid + "}";
    }

    private Path write(List<String> lines) throws IOException {
        Path day = dir.resolve("2026-11-30.jsonl");
        Files.write(day, lines);
        return day;
    }

    private static Materializer.Sink sink(List<Evidence> evidence, List<Quarantined> quarantined) {
        return new Materializer.Sink() {
            @Override
            public void evidence(Evidence e) {
                evidence.add(e);
            }

            @Override
            public void quarantine(Quarantined q) {
                quarantined.add(q);
            }
        };
    }
}
