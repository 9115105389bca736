package dev.lakehouse.vectord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.vectord.store.SnapshotStore;
import dev.lakehouse.vectord.store.Wal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Test helper: drives a registry on a given store from the store package's tests (the registry is package-private). */
public final class S3Recovery {
    private S3Recovery() {
    }

    public static Object open(Path data, SnapshotStore store) throws Exception {
        IndexRegistry r = new IndexRegistry(data, store, new SimpleMeterRegistry());
        r.load();
        return r;
    }

    /** 20 points, a snapshot (to S3), then 10 more that stay in the local WAL; no close: a crash. */
    public static void writeSnapshotWrite(Object registry) {
        IndexRegistry r = (IndexRegistry) registry;
        r.create("s3idx", new IndexParams(3, Metric.COSINE, 8, 50, 50));
        r.write("s3idx", ops(r.index("s3idx"), 0, 20));
        r.snapshot("s3idx");
        r.write("s3idx", ops(r.index("s3idx"), 20, 30));
    }

    public static int size(Object registry) {
        return ((IndexRegistry) registry).index("s3idx").size();
    }

    static List<IndexRegistry.Op> ops(VectorIndex index, int from, int to) {
        List<IndexRegistry.Op> ops = new ArrayList<>();
        for (int i = from; i < to; i++) {
            var payload = JsonNodeFactory.instance.objectNode().put("n", i);
            ops.add(new IndexRegistry.Op(new Wal.Record(Wal.UPSERT, "p" + i, index.prepare(new float[] {i + 1, 2, 3}, "v"),
                    payload.toString().getBytes(StandardCharsets.UTF_8)), payload));
        }
        return ops;
    }
}
