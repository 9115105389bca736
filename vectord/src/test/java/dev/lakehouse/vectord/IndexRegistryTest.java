package dev.lakehouse.vectord;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.vectord.store.LocalSnapshotStore;
import dev.lakehouse.vectord.store.Wal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery paths of the registry: graph + WAL, and the snapshot when the graph is unusable. */
class IndexRegistryTest {
    @TempDir
    Path dir;

    IndexRegistry open() throws Exception {
        IndexRegistry r = new IndexRegistry(dir, new LocalSnapshotStore(dir.resolve("snapshots")), new SimpleMeterRegistry());
        r.load();
        return r;
    }

    static List<IndexRegistry.Op> points(VectorIndex index, int from, int to) {
        List<IndexRegistry.Op> ops = new ArrayList<>();
        for (int i = from; i < to; i++) {
            var payload = JsonNodeFactory.instance.objectNode().put("n", i);
            float[] v = index.prepare(new float[] {i + 1, 1, (i % 3) + 1}, "v");
            ops.add(new IndexRegistry.Op(new Wal.Record(Wal.UPSERT, "p" + i, v, payload.toString().getBytes(StandardCharsets.UTF_8)), payload));
        }
        return ops;
    }

    @Test
    void restart_loadsTheGraph_replaysTheWal_andDeletesStillWork() throws Exception {
        IndexRegistry first = open();
        assertThat(first.create("g", new IndexParams(3, Metric.COSINE, 8, 50, 50))).isEqualTo(IndexRegistry.Created.NEW);
        assertThat(first.create("g", new IndexParams(3, Metric.COSINE, 8, 50, 50))).isEqualTo(IndexRegistry.Created.SAME);
        first.write("g", points(first.index("g"), 0, 10));
        assertThat(first.snapshot("g").graph()).isNotNull();
        first.write("g", points(first.index("g"), 10, 15));   // only in the WAL: the process "dies" here, no close()

        IndexRegistry second = open();
        assertThat(second.index("g").size()).isEqualTo(15);
        assertThat(second.index("g").get("p12").orElseThrow().payload().path("n").asInt()).isEqualTo(12);
        second.write("g", List.of(new IndexRegistry.Op(new Wal.Record(Wal.DELETE, "p3", null, null), null)));
        assertThat(second.index("g").get("p3")).as("versions resumed above the loaded graph's").isEmpty();
        second.close();
    }

    @Test
    void theGate_isPartOfAnIndexsShape_keptAcrossARestart_andShownByDescribe() throws Exception {
        IndexRegistry first = open();
        assertThat(first.create("mem", new IndexParams(3, Metric.COSINE, 8, 50, 50, IndexParams.Gate.ROLE))).isEqualTo(IndexRegistry.Created.NEW);
        assertThat(first.create("mem", new IndexParams(3, Metric.COSINE, 8, 50, 50, IndexParams.Gate.ROLE))).isEqualTo(IndexRegistry.Created.SAME);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.create("mem", new IndexParams(3, Metric.COSINE, 8, 50, 50)))
                .isInstanceOf(dev.lakehouse.common.ApiException.Conflict.class).hasMessageContaining("gate role");
        assertThat(first.describe("mem").gate()).isEqualTo("role");
        first.create("open", new IndexParams(3, Metric.COSINE, 8, 50, 50, null));
        assertThat(first.describe("open").gate()).isEqualTo("none");
        first.close();
        IndexRegistry second = open();
        assertThat(second.describe("mem").gate()).as("kept in the manifest").isEqualTo("role");
        assertThat(second.describe("open").gate()).isEqualTo("none");
        second.close();
    }

    @Test
    void anUnusableGraph_isRebuiltFromTheSnapshot() throws Exception {
        IndexRegistry first = open();
        first.create("h", new IndexParams(3, Metric.EUCLIDEAN, 8, 50, 50));
        first.write("h", points(first.index("h"), 0, 20));
        String graph = first.snapshot("h").graph();
        first.write("h", points(first.index("h"), 20, 25));
        Files.write(dir.resolve("snapshots").resolve(graph), new byte[] {9, 9, 9});   // another format byte

        IndexRegistry second = open();
        assertThat(second.index("h").size()).isEqualTo(25);
        assertThat(second.index("h").search(new float[] {5, 1, 2}, 1, null, null).get(0).id()).isEqualTo("p4");   // p4 is (5,1,2) itself
        second.close();
    }

    /**
     * Snapshots racing each other (timer, POST, stop) and writers: after a "crash" (no
     * close) every acknowledged point is back. Before snapshots were serialised per
     * index, a slower snapshot finishing last pointed the manifest at a WAL generation
     * the faster one had deleted, and deleted the faster one's snapshot.
     */
    @Test
    void racingSnapshots_andWrites_loseNoAcknowledgedPoint() throws Exception {
        IndexRegistry first = open();
        first.create("race", new IndexParams(3, Metric.COSINE, 8, 50, 50));
        VectorIndex index = first.index("race");
        java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(5)) {
            List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    for (int batch = 0; writing.get() && batch < 2_000; batch++) {
                        int from = writer * 1_000_000 + batch * 5;
                        first.write("race", points(index, from, from + 5));
                        for (int i = from; i < from + 5; i++) {
                            acknowledged.add("p" + i);
                        }
                    }
                    return null;
                }));
            }
            List<java.util.concurrent.Future<?>> snapshots = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                snapshots.add(pool.submit(() -> {
                    for (int i = 0; i < 6; i++) {
                        first.snapshot("race");
                    }
                    return null;
                }));
            }
            for (var f : snapshots) {
                f.get();
            }
            writing.set(false);
            for (var f : tasks) {
                f.get();
            }
        }
        IndexRegistry second = open();   // the first "died": no close(), no last snapshot
        VectorIndex reloaded = second.index("race");
        List<String> lost = acknowledged.stream().filter(id -> reloaded.get(id).isEmpty()).sorted().toList();
        assertThat(lost).as("acknowledged points missing after restart").isEmpty();
        assertThat(reloaded.size()).isEqualTo(acknowledged.size());
        second.close();
    }

    @Test
    void afterClose_noSnapshotStarts() throws Exception {
        IndexRegistry r = open();
        r.create("c", new IndexParams(3, Metric.COSINE, 8, 50, 50));
        r.write("c", points(r.index("c"), 0, 3));
        r.close();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> r.snapshot("c")))
                .isInstanceOf(dev.lakehouse.common.ApiException.class);
    }
}
