package dev.lakehouse.vectord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.FieldError;

/**
 * One HNSW index (jelmerk hnswlib) in memory, with payloads and filters.
 *
 * <p>Layout: hnswlib holds the {@link StoredPoint}s (id, vector, payload); under
 * cosine the vectors are normalised to unit length on the way in, so cosine is an
 * inner product. Capacity doubles when full ({@code resize}); removal is enabled,
 * so an upsert of an existing id replaces it and a delete takes it out of results
 * at once. hnswlib keeps deleted slots — a removed point holds its slot, so the
 * graph is full when live plus deleted points reach its capacity, not live ones
 * alone — until the graph is rebuilt, once deletions pass a quarter of the points
 * ({@link #needsCompaction}). A graph loaded from a snapshot does not say how many
 * of its slots are deleted, so an add that hnswlib refuses as over capacity grows
 * the graph and is tried again.
 *
 * <p>Search breadth: hnswlib searches with {@code max(ef, k)} candidates and has
 * one {@code ef} for the whole index. The graph is therefore built with the
 * smallest {@code ef} (1), and a search asks for {@code max(k, ef)} neighbours —
 * {@code ef} being the request's or the index's default — and keeps the first
 * {@code k}: every search gets its own breadth, and none waits for another.
 *
 * <p>Locking: hnswlib is safe for concurrent adds and searches, so searches and
 * writes (one writer thread at a time, the WAL's group commit) take the read
 * lock; resizing and compaction, which swap or grow the graph, take the write lock.
 *
 * <p>Filtered search: the graph is searched for {@code max(10k, 100)} neighbours
 * and those matching the filter are kept; when fewer than {@code k} match and the
 * index holds more points than were fetched, every point is scanned exactly
 * (filter first, then distance), so a filtered search still returns {@code k}
 * hits whenever {@code k} points match.
 */
public final class VectorIndex {
    /** One result. */
    public record Hit(String id, double score, float distance, JsonNode payload) {
    }

    private final String name;
    private final IndexParams params;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicLong versions = new AtomicLong();
    private HnswIndex<String, float[], StoredPoint, Float> hnsw;   // replaced only under the write lock
    private int deleted;

    /** The format byte in front of a saved graph; a graph of another format is rebuilt from the snapshot instead. */
    static final int GRAPH_FORMAT = 1;

    public VectorIndex(String name, IndexParams params) {
        this.name = name;
        this.params = params;
        this.hnsw = newGraph(1024);
    }

    /** An index around a graph loaded from {@link #saveGraph}; the version counter resumes above every item's. */
    private VectorIndex(String name, IndexParams params, HnswIndex<String, float[], StoredPoint, Float> loaded) {
        this.name = name;
        this.params = params;
        this.hnsw = loaded;
        loaded.setEf(1);
        this.versions.set(loaded.items().stream().mapToLong(StoredPoint::version).max().orElse(0));
    }

    /** Writes the graph (format byte, then hnswlib's own serialisation). Callers hold the WAL lock. */
    void saveGraph(java.io.OutputStream out) throws java.io.IOException {
        lock.readLock().lock();
        try {
            out.write(GRAPH_FORMAT);
            hnsw.save(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Loads a saved graph, or empty when its format byte or parameters do not match. */
    static Optional<VectorIndex> loadGraph(String name, IndexParams params, java.io.InputStream in) throws java.io.IOException {
        if (in.read() != GRAPH_FORMAT) {
            return Optional.empty();
        }
        HnswIndex<String, float[], StoredPoint, Float> loaded = HnswIndex.load(in, VectorIndex.class.getClassLoader());
        if (loaded.getDimensions() != params.dims() || loaded.getM() != params.m()) {
            return Optional.empty();
        }
        return Optional.of(new VectorIndex(name, params, loaded));
    }

    private HnswIndex<String, float[], StoredPoint, Float> newGraph(int capacity) {
        return HnswIndex.newBuilder(params.dims(), params.metric().distance(), capacity)
                .withM(params.m()).withEfConstruction(params.efConstruction()).withEf(1)
                .withRemoveEnabled().build();
    }

    String name() {
        return name;
    }

    IndexParams params() {
        return params;
    }

    public int size() {
        return hnsw.size();
    }

    /** Rough heap use: the vectors and the graph links. */
    long memoryEstimateBytes() {
        long n = hnsw.size();
        return n * (params.dims() * 4L + 64) + n * params.m() * 2L * 4 * 2 + n * 200;
    }

    /** Checks a vector for this index and returns the form it is stored in (normalised under cosine). */
    public float[] prepare(float[] vector, String field) {
        if (vector.length != params.dims()) {
            throw new FieldError(field, "wrong_dimensions", "has " + vector.length + " dimensions; index '" + name
                    + "' has " + params.dims());
        }
        if (params.metric() != Metric.COSINE) {
            return vector;
        }
        double norm = 0;
        for (float v : vector) {
            norm += (double) v * v;
        }
        if (norm == 0) {
            throw new FieldError(field, "zero_vector", "is all zeros, which has no direction under cosine");
        }
        float inv = (float) (1 / Math.sqrt(norm));
        float[] out = new float[vector.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = vector[i] * inv;
        }
        return out;
    }

    /** Adds or replaces a point whose vector is already {@link #prepare prepared}. */
    public void upsert(String id, float[] prepared, JsonNode payload) {
        while (true) {
            int capacity;
            lock.readLock().lock();
            try {
                capacity = hnsw.getMaxItemCount();
                if (slots() < capacity) {
                    long version = versions.incrementAndGet();
                    if (hnsw.contains(id)) {
                        hnsw.remove(id, version);
                        deleted++;
                    }
                    try {
                        hnsw.add(new StoredPoint(id, prepared, payload, versions.incrementAndGet()));
                        return;
                    } catch (RuntimeException e) {
                        if (!overCapacity(e)) {
                            throw e;
                        }
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            grow(capacity);
        }
    }

    /** Slots hnswlib has used: live points and deleted ones (not counting those of a loaded graph). */
    private int slots() {
        return hnsw.size() + deleted;
    }

    private static boolean overCapacity(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.github.jelmerk.hnswlib.core.hnsw.SizeLimitExceededException) {
                return true;
            }
        }
        return false;
    }

    /** A prepared point for {@link #upsertAll}. */
    public record Upsert(String id, float[] prepared, JsonNode payload) {
    }

    /**
     * Adds or replaces many points, inserting them into the graph on {@code threads}
     * threads (hnswlib allows concurrent adds). When an id appears twice the last one
     * wins, as it would one by one.
     */
    public void upsertAll(List<Upsert> batch, int threads) {
        java.util.LinkedHashMap<String, Upsert> last = new java.util.LinkedHashMap<>();
        batch.forEach(u -> last.put(u.id(), u));
        lock.writeLock().lock();
        try {
            int needed = slots() + last.size();   // a replaced point keeps its old slot too
            if (needed > hnsw.getMaxItemCount()) {
                hnsw.resize(Math.max(needed, hnsw.getMaxItemCount() * 2));
            }
        } finally {
            lock.writeLock().unlock();
        }
        List<StoredPoint> items = new ArrayList<>(last.size());
        lock.readLock().lock();
        try {
            for (Upsert u : last.values()) {
                if (hnsw.contains(u.id())) {
                    hnsw.remove(u.id(), versions.incrementAndGet());
                    deleted++;
                }
                items.add(new StoredPoint(u.id(), u.prepared(), u.payload(), versions.incrementAndGet()));
            }
        } finally {
            lock.readLock().unlock();
        }
        while (!items.isEmpty()) {
            lock.readLock().lock();
            int capacity = hnsw.getMaxItemCount();
            try {
                if (threads <= 1 || items.size() < 64) {
                    items.forEach(hnsw::add);
                } else {
                    hnsw.addAll(items, threads, (done, max) -> { }, Integer.MAX_VALUE);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while adding points", e);
            } catch (RuntimeException e) {
                if (!overCapacity(e)) {
                    throw e;
                }
                items = items.stream().filter(p -> !hnsw.contains(p.id())).toList();   // the rest, after growing
            } finally {
                lock.readLock().unlock();
            }
            grow(capacity);
        }
    }

    /** Doubles the graph's capacity, unless another writer already grew it past {@code seen}. */
    private void grow(int seen) {
        lock.writeLock().lock();
        try {
            if (hnsw.getMaxItemCount() <= seen) {
                hnsw.resize(seen * 2);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean delete(String id) {
        lock.readLock().lock();
        try {
            boolean removed = hnsw.remove(id, versions.incrementAndGet());
            if (removed) {
                deleted++;
            }
            return removed;
        } finally {
            lock.readLock().unlock();
        }
    }

    Optional<StoredPoint> get(String id) {
        return hnsw.get(id);
    }

    /** Every live point (for snapshots). */
    List<StoredPoint> points() {
        return new ArrayList<>(hnsw.items());
    }

    boolean needsCompaction() {
        return deleted > 1000 && deleted > hnsw.size() / 4;
    }

    /** Deleted slots still in the graph: a deleted point's id and vector stay in it (and in its saved form) until {@link #compact}. */
    int deletedSlots() {
        return deleted;
    }

    /**
     * Rebuilds the graph from the live points, reclaiming deleted slots (and forgetting what they held). The new graph
     * is built while searches go on in the old one, then swapped in; the caller keeps writes out meanwhile (vectord's
     * writer holds the WAL lock).
     */
    void compact() {
        swap(rebuilt(Runtime.getRuntime().availableProcessors()));
    }

    /** A new graph of the live points, built on {@code threads} threads while searches (and, if the caller allows, writes) go on in this one. */
    HnswIndex<String, float[], StoredPoint, Float> rebuilt(int threads) {
        List<StoredPoint> live;
        lock.readLock().lock();
        try {
            live = new ArrayList<>(hnsw.items());
        } finally {
            lock.readLock().unlock();
        }
        HnswIndex<String, float[], StoredPoint, Float> fresh = newGraph(Math.max(1024, live.size() * 2));
        try {
            fresh.addAll(live, threads, (done, max) -> { }, Integer.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("compaction of index '" + name + "' interrupted", e);
        }
        return fresh;
    }

    /** Puts a graph from {@link #rebuilt} in force; the caller makes sure no write came in since it was built. */
    void swap(HnswIndex<String, float[], StoredPoint, Float> fresh) {
        lock.writeLock().lock();
        try {
            hnsw = fresh;
            deleted = 0;
        } finally {
            lock.writeLock().unlock();
        }
    }

    public List<Hit> search(float[] query, int k, Integer ef, Map<String, JsonNode> filter) {
        int breadth = Math.max(k, ef == null ? params.ef() : ef);
        lock.readLock().lock();
        try {
            return filter == null || filter.isEmpty() ? nearest(query, k, breadth) : filtered(query, k, breadth, filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    private List<Hit> nearest(float[] query, int k, int breadth) {
        List<Hit> hits = new ArrayList<>(k);
        for (SearchResult<StoredPoint, Float> r : hnsw.findNearest(query, breadth)) {
            hits.add(hit(r.item(), r.distance()));
            if (hits.size() == k) {
                break;
            }
        }
        return hits;
    }

    private List<Hit> filtered(float[] query, int k, int breadth, Map<String, JsonNode> filter) {
        int fetch = Math.min(hnsw.size(), Math.max(breadth, Math.max(k * 10, 100)));
        List<Hit> hits = new ArrayList<>(k);
        for (SearchResult<StoredPoint, Float> r : hnsw.findNearest(query, fetch)) {
            if (matches(r.item().payload(), filter)) {
                hits.add(hit(r.item(), r.distance()));
                if (hits.size() == k) {
                    return hits;
                }
            }
        }
        if (fetch >= hnsw.size()) {
            return hits;   // every point was looked at
        }
        return exact(query, k, filter);
    }

    /** Exact search over the points that match the filter. */
    public List<Hit> exact(float[] query, int k, Map<String, JsonNode> filter) {
        var distance = params.metric().distance();
        PriorityQueue<SearchResult<StoredPoint, Float>> best = new PriorityQueue<>(
                Comparator.comparing((SearchResult<StoredPoint, Float> r) -> r.distance()).reversed());
        for (StoredPoint p : hnsw.items()) {
            if (filter != null && !matches(p.payload(), filter)) {
                continue;
            }
            float d = distance.distance(query, p.vector());
            if (best.size() < k) {
                best.add(SearchResult.create(p, d));
            } else if (d < best.peek().distance()) {
                best.poll();
                best.add(SearchResult.create(p, d));
            }
        }
        List<SearchResult<StoredPoint, Float>> sorted = new ArrayList<>(best);
        sorted.sort(Comparator.comparing(SearchResult::distance));
        List<Hit> hits = new ArrayList<>(sorted.size());
        sorted.forEach(r -> hits.add(hit(r.item(), r.distance())));
        return hits;
    }

    private Hit hit(StoredPoint p, float distance) {
        return new Hit(p.id(), params.metric().score(distance), distance, p.payload());
    }

    /** Payload equality on every filter field; a list value means any of its elements. */
    static boolean matches(JsonNode payload, Map<String, JsonNode> filter) {
        for (Map.Entry<String, JsonNode> f : filter.entrySet()) {
            JsonNode actual = payload == null ? null : payload.get(f.getKey());
            if (actual == null) {
                return false;
            }
            JsonNode wanted = f.getValue();
            boolean ok = false;
            if (wanted.isArray()) {
                for (JsonNode w : wanted) {
                    if (w.equals(actual)) {
                        ok = true;
                        break;
                    }
                }
            } else {
                ok = wanted.equals(actual);
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static ApiException notFound(String index, String id) {
        return new ApiException.NotFound("point_not_found", "point '" + id + "' is not in index '" + index + "'");
    }
}
