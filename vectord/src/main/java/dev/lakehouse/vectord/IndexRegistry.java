package dev.lakehouse.vectord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Readiness;
import dev.lakehouse.vectord.store.LocalSnapshotStore;
import dev.lakehouse.vectord.store.ParquetSnapshot;
import dev.lakehouse.vectord.store.SnapshotStore;
import dev.lakehouse.vectord.store.Wal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The indexes of this vectord and their durability (docs/vectord.md).
 *
 * <p>Per index: the in-memory {@link VectorIndex}; a {@link Wal} under
 * {@code <data>/wal/<index>/}; a {@link GroupCommitter} whose one writer thread
 * appends a group of writes to the WAL, fsyncs once, applies them to the index,
 * and only then acknowledges; and a manifest {@code <index>/manifest.json} in the
 * {@link SnapshotStore} naming the index's parameters, its newest snapshot
 * ({@code <index>/snapshot-<generation>.parquet}) and the WAL generation the
 * snapshot covers. {@code walLock} is held by the writer while it writes and
 * applies, and by a snapshot while it rotates the WAL and captures the points.
 * {@code snapshotLock} makes the snapshots of one index strictly one after the
 * other: two at once would let the slower write a manifest covering a WAL
 * generation the faster had deleted, and delete the faster's snapshot (lost
 * writes). After {@link #close} no snapshot starts.
 *
 * <p>Start-up, for each manifest: load its snapshot, replay the WAL generations
 * after it (cutting a torn tail), and carry on appending. A snapshot: rotate the
 * WAL, capture the points, write the Parquet file and then the manifest
 * (atomically), then delete the WAL generations and the older snapshot it replaces.
 */
final class IndexRegistry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexRegistry.class.getName());
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);

    /** The versioned manifest of one index. */
    record Manifest(int format, String name, IndexParams params, long version, String snapshot, String graph,
                    long walCovered, long points, String createdAt, String snapshotAt) {
    }

    /** One write as the writer thread sees it: the logged record and the parsed payload. */
    record Op(Wal.Record record, JsonNode payload) {
    }

    private final class Managed {
        final VectorIndex index;
        final Wal wal;
        final ReentrantLock walLock = new ReentrantLock();
        /** One snapshot of this index at a time (timer, POST …/snapshot, stop), and none during a drop. */
        final ReentrantLock snapshotLock = new ReentrantLock();
        final GroupCommitter<List<Op>, Integer> committer;
        volatile Manifest manifest;
        volatile long lastWrite = System.nanoTime();
        volatile long lastSnapshotWrite = System.nanoTime();
        /** Writes applied, for a compaction built beside them to know whether one came in meanwhile. */
        final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
        /** Deleted slots may hold what an erasure removed: no snapshot writes the graph until it is compacted. */
        volatile boolean holdsErased;
        /** A compaction after an erasure is queued or running: one at a time per index. */
        final java.util.concurrent.atomic.AtomicBoolean compacting = new java.util.concurrent.atomic.AtomicBoolean();

        Managed(VectorIndex index, Wal wal, Manifest manifest) {
            this.index = index;
            this.wal = wal;
            this.manifest = manifest;
            this.committer = new GroupCommitter<>("vectord-" + index.name(), 256, 64, this::write);
        }

        private List<Integer> write(List<List<Op>> groups) throws IOException {
            walLock.lock();
            try {
                List<Wal.Record> records = new ArrayList<>();
                groups.forEach(g -> g.forEach(op -> records.add(op.record())));
                wal.append(records);
                List<Op> all = new ArrayList<>();
                groups.forEach(all::addAll);
                applyAll(index, all);
                writes.incrementAndGet();
                if (index.needsCompaction()) {
                    index.compact();
                    holdsErased = false;
                }
                lastWrite = System.nanoTime();
            } finally {
                walLock.unlock();
            }
            return groups.stream().map(List::size).toList();
        }
    }

    private final Path walRoot;
    private final SnapshotStore store;
    private final Path scratch;
    private final Map<String, Managed> indexes = new ConcurrentHashMap<>();
    private volatile boolean loaded;
    private volatile boolean closed;
    private final io.micrometer.core.instrument.Timer searches;

    IndexRegistry(Path dataDir, SnapshotStore store, MeterRegistry registry) throws IOException {
        this.walRoot = dataDir.resolve("wal");
        this.scratch = dataDir.resolve("tmp");
        this.store = store;
        Files.createDirectories(walRoot);
        Files.createDirectories(scratch);
        this.searches = io.micrometer.core.instrument.Timer.builder("vectord.search").description("searches, in-process time")
                .register(registry);
        Gauge.builder("vectord.indexes", indexes, Map::size).register(registry);
        Gauge.builder("vectord.points", this, r -> r.indexes.values().stream().mapToLong(m -> m.index.size()).sum())
                .description("points in all indexes").register(registry);
        Gauge.builder("vectord.wal.bytes", this, r -> r.indexes.values().stream().mapToLong(m -> m.wal.bytes()).sum())
                .baseUnit("bytes").register(registry);
        Gauge.builder("vectord.snapshot.age", this, IndexRegistry::oldestSnapshotAgeSeconds).baseUnit("seconds")
                .description("age of the oldest index's last snapshot").register(registry);
    }

    Readiness readiness() {
        return loaded ? Readiness.up() : Readiness.down("loading indexes");
    }

    /** Loads every index: snapshot, then WAL replay. */
    void load() {
        try {
            for (String key : store.list("")) {
                if (key.endsWith("/manifest.json")) {
                    Manifest m = Json.parse(store.read(key).orElseThrow(), Manifest.class);
                    open(m);
                }
            }
            loaded = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load indexes from " + store.describe(), e);
        }
    }

    private Managed open(Manifest m) throws IOException {
        long start = System.nanoTime();
        VectorIndex index = m.graph() == null ? null : loadGraph(m);
        String from = "graph";
        long fromSnapshot = index == null ? 0 : index.size();
        if (index == null) {
            VectorIndex rebuilt = new VectorIndex(m.name(), m.params());
            from = "snapshot";
            if (m.snapshot() != null) {
                Path file = localCopy(m.snapshot());
                List<VectorIndex.Upsert> rows = new ArrayList<>();
                fromSnapshot = ParquetSnapshot.read(file, row -> {
                    rows.add(new VectorIndex.Upsert(row.id(), row.vector(), parse(row.payloadJson())));
                    if (rows.size() == 10_000) {
                        rebuilt.upsertAll(rows, THREADS);
                        rows.clear();
                    }
                });
                rebuilt.upsertAll(rows, THREADS);
            }
            index = rebuilt;
        }
        VectorIndex loadedIndex = index;
        Path dir = walRoot.resolve(m.name());
        long replayed = Wal.replay(dir, m.walCovered(), r -> apply(loadedIndex, r, r.payload() == null ? null : parse(r.payload())));
        Managed managed = new Managed(index, new Wal(dir, m.walCovered() + 1), m);
        indexes.put(m.name(), managed);
        LOG.info("index " + m.name() + ": " + index.size() + " points (" + fromSnapshot + " from " + from + ", " + replayed
                + " WAL records) in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        return managed;
    }

    /** The saved graph, when it loads; null (and a warning) when the index must be rebuilt from the snapshot. */
    private VectorIndex loadGraph(Manifest m) {
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(localCopy(m.graph())), 1 << 16)) {
            VectorIndex index = VectorIndex.loadGraph(m.name(), m.params(), in).orElse(null);
            if (index == null) {
                LOG.warning("index " + m.name() + ": saved graph " + m.graph() + " is of another format; rebuilding from the snapshot");
            }
            return index;
        } catch (IOException | RuntimeException e) {
            LOG.warning("index " + m.name() + ": saved graph " + m.graph() + " cannot be loaded (" + e + "); rebuilding from the snapshot");
            return null;
        }
    }

    private Path localCopy(String key) throws IOException {
        if (store instanceof LocalSnapshotStore local) {
            return local.file(key);
        }
        Path file = scratch.resolve(key.replace('/', '_'));
        if (!store.get(key, file)) {
            throw new IOException("snapshot " + key + " is missing from " + store.describe());
        }
        return file;
    }

    private static JsonNode parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode parse(byte[] json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    /** Applies ops in order; a run of upserts goes into the graph on every core. */
    private static void applyAll(VectorIndex index, List<Op> ops) {
        List<VectorIndex.Upsert> run = new ArrayList<>();
        for (Op op : ops) {
            if (op.record().type() == Wal.UPSERT) {
                run.add(new VectorIndex.Upsert(op.record().id(), op.record().vector(), op.payload()));
                continue;
            }
            index.upsertAll(run, THREADS);
            run.clear();
            apply(index, op.record(), op.payload());
        }
        index.upsertAll(run, THREADS);
    }

    private static void apply(VectorIndex index, Wal.Record r, JsonNode payload) {
        if (r.type() == Wal.UPSERT) {
            index.upsert(r.id(), r.vector(), payload);
        } else {
            index.delete(r.id());
        }
    }

    /** What {@link #create} did. */
    enum Created { NEW, SAME }

    /** Creates an index; {@code SAME} when it exists with the same parameters, 409 {@code index_exists} with others. */
    synchronized Created create(String name, IndexParams params) {
        IndexParams.checkName(name);
        Managed existing = indexes.get(name);
        if (existing != null) {
            if (existing.index.params().sameShape(params)) {
                return Created.SAME;
            }
            throw new ApiException.Conflict("index_exists", "index '" + name + "' exists with other parameters: "
                    + describeParams(existing.index.params()));
        }
        try {
            Manifest m = new Manifest(1, name, params, 0, null, null, 0, 0, Instant.now().toString(), null);
            store.write(name + "/manifest.json", Json.bytes(m));
            open(m);
            return Created.NEW;
        } catch (IOException e) {
            throw new ApiException.Unavailable("storage_failed", "index '" + name + "' could not be created: " + e.getMessage());
        }
    }

    private static String describeParams(IndexParams p) {
        return "dims " + p.dims() + ", metric " + p.metric() + ", m " + p.m() + ", ef_construction " + p.efConstruction()
                + ", gate " + p.gate();
    }

    synchronized void drop(String name) {
        Managed m = require(name);
        indexes.remove(name);
        m.snapshotLock.lock();
        try {
            m.committer.close();
            m.wal.close();
            store.delete(name + "/manifest.json");
            for (String key : store.list(name + "/")) {
                store.delete(key);
            }
            Path dir = walRoot.resolve(name);
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new ApiException.Unavailable("storage_failed", "index '" + name + "' was dropped but its files were not all removed: "
                    + e.getMessage());
        } finally {
            m.snapshotLock.unlock();
        }
    }

    VectorIndex index(String name) {
        return require(name).index;
    }

    private Managed require(String name) {
        IndexParams.checkName(name);
        Managed m = indexes.get(name);
        if (m == null) {
            if (!loaded) {
                throw new ApiException.Unavailable("loading", "vectord is still loading its indexes");
            }
            throw new ApiException.NotFound("index_not_found", "index '" + name + "' does not exist");
        }
        return m;
    }

    /** Logs, fsyncs and applies a batch; returns once it is durable. */
    int write(String name, List<Op> ops) {
        return require(name).committer.submit(ops, WRITE_TIMEOUT);
    }

    /** Checks and prepares the points (dimensions, cosine normalisation), then writes them durably. */
    int upsert(String name, List<VectordWire.PointIn> points) {
        VectorIndex index = index(name);
        List<Op> ops = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            VectordWire.PointIn p = points.get(i);
            float[] prepared = index.prepare(p.vector(), "points[" + i + "].vector");
            ops.add(new Op(new Wal.Record(Wal.UPSERT, p.id(), prepared, p.payload().toString().getBytes(StandardCharsets.UTF_8)),
                    p.payload()));
        }
        return write(name, ops);
    }

    /** Deletes a point durably; 404 when it is not there. */
    void deletePoint(String name, String id) {
        if (index(name).get(id).isEmpty()) {
            throw VectorIndex.notFound(name, id);
        }
        write(name, List.of(new Op(new Wal.Record(Wal.DELETE, id, null, null), null)));
    }

    /** What an erasure removed: points, and the indexes compacted and snapshotted again. */
    record Erased(int pointsRemoved, List<String> indexesRewritten) {
    }

    /**
     * Forgets a person (docs/privacy.md, "Erasure"): in every index, the points whose id or payload names them, and
     * with each the other points of its document (the same payload {@code doc_id}: matrixd's chunks of one document go
     * together); deleted durably through the WAL, then the graph is compacted (a deleted slot keeps its vector) and the
     * index snapshotted, which rewrites the snapshot and graph, drops the WAL segments that held the points and deletes
     * the older snapshots in the store (S3 included). An index with a non-empty WAL or deleted slots is rewritten even
     * when nothing matches now, so a run killed between its deletes and its snapshot is finished by the next.
     */
    Erased erase(dev.lakehouse.common.SubjectIdentifiers subject) {
        int removed = 0;
        List<String> rewritten = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(indexes.keySet())) {
            Managed m = indexes.get(name);
            if (m == null) {
                continue;
            }
            m.snapshotLock.lock();
            try {
                if (closed || indexes.get(name) != m) {
                    continue;
                }
                List<StoredPoint> points = m.index.points();
                java.util.Set<String> ids = new java.util.LinkedHashSet<>();
                java.util.Set<String> docs = new java.util.HashSet<>();
                for (StoredPoint p : points) {
                    if (subject.matches(p.id()) || (p.payload() != null && subject.matches(p.payload().toString()))) {
                        ids.add(p.id());
                        String doc = docId(p);
                        if (doc != null) {
                            docs.add(doc);
                        }
                    }
                }
                if (!docs.isEmpty()) {
                    points.stream().filter(p -> docs.contains(docId(p))).forEach(p -> ids.add(p.id()));
                }
                if (!ids.isEmpty()) {
                    write(name, ids.stream().map(id -> new Op(new Wal.Record(Wal.DELETE, id, null, null), null)).toList());
                }
                if (!ids.isEmpty() || m.wal.bytes() > 0 || m.index.deletedSlots() > 0) {
                    if (m.index.deletedSlots() > 0) {
                        m.holdsErased = true;   // a graph with deleted slots is not written: they hold what was deleted
                    }
                    snapshot(name, m);
                    rewritten.add(name);
                    if (m.holdsErased) {
                        compactInBackground(name, m);
                    }
                }
                removed += ids.size();
            } finally {
                m.snapshotLock.unlock();
            }
        }
        return new Erased(removed, rewritten);
    }

    private final java.util.concurrent.ExecutorService compactions = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("vectord-compaction").daemon(true).factory());

    /**
     * After an erasure: the graph rebuilt without its deleted slots while searches and writes go on, swapped in if no
     * write came meanwhile (else built again, three times at most, then with writes held for the last build), and the
     * index snapshotted with its graph again. Until then the snapshot has no graph (a restart rebuilds it from the
     * points) and the deleted points' vectors are only in this process's memory.
     */
    private void compactInBackground(String name, Managed m) {
        if (!m.compacting.compareAndSet(false, true)) {
            return;   // the one queued or running covers this erasure's slots too (it copies the live points when it starts)
        }
        compactions.submit(() -> {
            try {
                for (int attempt = 1; attempt <= 4 && !closed && indexes.get(name) == m; attempt++) {
                    long writes = m.writes.get();
                    boolean last = attempt == 4;
                    if (last) {
                        m.walLock.lock();
                    }
                    try {
                        var fresh = m.index.rebuilt(Math.max(1, THREADS / 2));   // half the cores: the others serve
                        if (!last) {
                            m.walLock.lock();
                        }
                        try {
                            if (m.writes.get() != writes) {
                                continue;
                            }
                            m.index.swap(fresh);
                            m.holdsErased = false;
                        } finally {
                            if (!last) {
                                m.walLock.unlock();
                            }
                        }
                    } finally {
                        if (last) {
                            m.walLock.unlock();
                        }
                    }
                    m.snapshotLock.lock();
                    try {
                        if (!closed && indexes.get(name) == m) {
                            snapshot(name, m);
                        }
                    } finally {
                        m.snapshotLock.unlock();
                    }
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "index " + name + ": compaction after an erasure failed", e);
            } finally {
                m.compacting.set(false);
            }
        });
    }

    private static String docId(StoredPoint p) {
        JsonNode d = p.payload() == null ? null : p.payload().get("doc_id");
        return d != null && d.isTextual() ? d.asText() : null;
    }

    /** An index as {@code GET /v1/indexes/{name}} shows it: parameters, size, memory, WAL and last snapshot. */
    record Description(String name, int dims, String metric, String gate, int m, int efConstruction, int ef, long count,
                       long memoryEstimateBytes, long walBytes, String createdAt,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
                       LastSnapshot lastSnapshot) {
    }

    /** The newest snapshot of an index: its manifest version, time, point count and key in the store. */
    record LastSnapshot(long version, String at, long points, String key) {
    }

    Description describe(String name) {
        Managed m = require(name);
        IndexParams p = m.index.params();
        Manifest man = m.manifest;
        return new Description(name, p.dims(), p.metric().toString(), p.gate().toString(), p.m(), p.efConstruction(), p.ef(), m.index.size(),
                m.index.memoryEstimateBytes(), m.wal.bytes(), man.createdAt(),
                man.snapshot() == null ? null : new LastSnapshot(man.version(), man.snapshotAt(), man.points(), man.snapshot()));
    }

    List<Description> list() {
        return indexes.keySet().stream().sorted().map(this::describe).toList();
    }

    /** What a search found, and how long it took in this process. */
    record SearchResult(List<VectorIndex.Hit> hits, double tookMs) {
    }

    /** Prepares the query (dimensions, cosine normalisation), searches with the request's filter, and times it. */
    SearchResult search(String name, VectordWire.SearchRequest request) {
        VectorIndex index = index(name);
        long start = System.nanoTime();
        float[] query = index.prepare(request.vector(), "vector");
        List<VectorIndex.Hit> hits = index.search(query, request.k(), request.ef(), request.filterMap());
        long nanos = System.nanoTime() - start;
        searches.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return new SearchResult(hits, Math.round(nanos / 10_000.0) / 100.0);
    }

    /** Writes a snapshot of one index now, after any snapshot of it already under way; returns its manifest. */
    Manifest snapshot(String name) {
        Managed m = require(name);
        m.snapshotLock.lock();
        try {
            if (closed || indexes.get(name) != m) {
                throw new ApiException.Unavailable("stopping", "index '" + name + "' is being dropped or vectord is stopping");
            }
            return snapshot(name, m);
        } finally {
            m.snapshotLock.unlock();
        }
    }

    private Manifest snapshot(String name, Managed m) {
        return snapshot(name, m, !m.holdsErased);
    }

    /** A snapshot of the points; of the graph too unless {@code withGraph} is false (a restart then rebuilds it from the points). */
    private Manifest snapshot(String name, Managed m, boolean withGraph) {
        try {
            long covered;
            List<StoredPoint> points;
            Path graphFile;
            m.walLock.lock();
            try {
                covered = m.wal.rotate();
                points = m.index.points();
                graphFile = withGraph ? scratch.resolve(name + "-" + covered + ".graph") : null;
                if (withGraph) {
                    try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(graphFile), 1 << 16)) {
                        m.index.saveGraph(out);
                    }
                }
            } finally {
                m.walLock.unlock();
            }
            String key = name + "/snapshot-" + String.format("%010d", covered) + ".parquet";
            String graphKey = withGraph ? name + "/graph-" + String.format("%010d", covered) + ".bin" : null;
            if (withGraph) {
                store.put(graphKey, graphFile);
                Files.deleteIfExists(graphFile);
            }
            Path file = scratch.resolve(name + "-" + covered + ".parquet");
            try (ParquetSnapshot.Writer w = new ParquetSnapshot.Writer(file)) {
                for (StoredPoint p : points) {
                    w.write(new ParquetSnapshot.Row(p.id(), p.vector(), p.payload() == null ? "{}" : p.payload().toString()));
                }
            }
            store.put(key, file);
            Files.deleteIfExists(file);
            Manifest old = m.manifest;
            Manifest next = new Manifest(1, name, old.params(), old.version() + 1, key, graphKey, covered, points.size(),
                    old.createdAt(), Instant.now().toString());
            store.write(name + "/manifest.json", Json.bytes(next));
            m.manifest = next;
            m.lastSnapshotWrite = m.lastWrite;
            m.wal.deleteUpTo(covered);
            for (String k : store.list(name + "/")) {
                if ((k.startsWith(name + "/snapshot-") || k.startsWith(name + "/graph-")) && !k.equals(key) && !k.equals(graphKey)) {   // graphKey null: every graph goes
                    store.delete(k);
                }
            }
            LOG.info("index " + name + ": snapshot " + key + " of " + points.size() + " points");
            return next;
        } catch (IOException e) {
            throw new ApiException.Unavailable("storage_failed", "snapshot of index '" + name + "' failed: " + e.getMessage());
        }
    }

    private volatile dev.lakehouse.common.Periodic snapshots;

    /** Snapshots every changed index every {@code interval} from now on (zero: only at close); its timer stops in close. */
    void snapshotEvery(Duration interval) {
        snapshots = dev.lakehouse.common.Periodic.every("snapshots", interval, this::snapshotChanged);
    }

    /** Snapshots every index written since its last snapshot (periodic, and on graceful stop). */
    void snapshotChanged() {
        for (Managed m : indexes.values()) {
            m.snapshotLock.lock();
            try {
                if (!closed && indexes.get(m.index.name()) == m && m.lastWrite != m.lastSnapshotWrite) {
                    snapshot(m.index.name(), m);
                }
            } finally {
                m.snapshotLock.unlock();
            }
        }
    }

    private double oldestSnapshotAgeSeconds() {
        return indexes.values().stream().map(m -> m.manifest.snapshotAt()).filter(java.util.Objects::nonNull)
                .map(Instant::parse).min(Comparator.naturalOrder())
                .map(t -> (double) Duration.between(t, Instant.now()).toSeconds()).orElse(0.0);
    }

    /** The last snapshot of every changed index, then the writers and WALs closed; no snapshot starts after. */
    @Override
    public void close() {
        compactions.shutdownNow();
        if (snapshots != null) {
            snapshots.close();   // no periodic snapshot after this; one under way finishes first
        }
        snapshotChanged();
        closed = true;
        for (Managed m : indexes.values()) {
            m.snapshotLock.lock();
            m.snapshotLock.unlock();   // wait out a snapshot that began before closed was set
            m.committer.close();
            try {
                m.wal.close();
            } catch (IOException e) {
                LOG.warning("closing the WAL of " + m.index.name() + " failed: " + e.getMessage());
            }
        }
    }
}
