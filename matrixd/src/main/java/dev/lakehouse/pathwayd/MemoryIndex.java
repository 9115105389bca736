package dev.lakehouse.pathwayd;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Backoff;
import dev.lakehouse.common.Json;
import dev.lakehouse.matrixd.client.EmbeddClient;
import dev.lakehouse.matrixd.client.VectordClient;
import dev.lakehouse.pathwayd.store.VersionLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Semantic search over the memories: two vectord indexes that pathwayd owns, kept in step with
 * the log by one indexer thread (docs/pathwayd.md).
 *
 * <ul>
 *   <li>{@code <index>} ("current"): one point per memory, id = the memory id, holding its latest
 *       version unless that is deleted or closed at the time it was recorded. What holds now is
 *       searched here, and matrixd serves playbooks from it.</li>
 *   <li>{@code <index>_history}: one point per version with text, id {@code <memory id>~<version>};
 *       searched when a request names {@code as_of} or {@code valid_at}.</li>
 * </ul>
 * Payloads: {@code doc_id} and {@code memory_id} (the memory id), {@code version}, {@code kind},
 * {@code role}, {@code scope}, {@code user}, {@code valid_from}, {@code valid_to}, {@code text} — so vectord filters on metadata and
 * matrixd can serve the index as a corpus.
 *
 * <p>The log is the truth; the indexes follow it. Every committed entry is queued; the indexer
 * takes queued entries in sequence order (up to 32 texts), embeds through embedd, upserts and
 * deletes in vectord, and then moves its watermark past them ({@code <data>/index-watermark.json},
 * written atomically when the queue is empty, else at most twice a second). A restart re-queues every entry after the watermark; vectord writes are
 * idempotent, so an entry indexed twice is harmless. While embedd or vectord is down the writes
 * still succeed (durable in the log) and the indexer retries with backoff; {@code pending} in every
 * search answer says how far behind search is. A text embedd refuses is skipped and counted, never
 * retried forever.
 *
 * <p>Search trusts only the log: every hit is looked up in {@link Memories}, kept only when the
 * version current at {@code as_of} is the one the point holds (history) or is the latest
 * (current), is not deleted, holds at {@code valid_at} and matches the filter; vectord is asked
 * for more than {@code k} and again for more while too few survive. Work is linear in the hits.
 */
public final class MemoryIndex implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MemoryIndex.class.getName());
    static final int BATCH_TEXTS = 32;
    private static final int MAX_FETCH = 1_000;
    private static final Duration WATERMARK_EVERY = Duration.ofMillis(500);

    private final Memories memories;
    private final EmbeddClient embedd;
    private final VectordClient vectord;
    private final URI vectordUrl;
    private final String current;
    private final String history;
    private final Path watermarkFile;
    private final ConcurrentSkipListMap<Long, VersionLog.Entry> pending = new ConcurrentSkipListMap<>();
    private final Object progress = new Object();
    private final Counter indexed;
    private final Counter skipped;
    private final Counter failures;
    private volatile long watermark;
    private long persisted;   // the indexer thread's: when the watermark was last written
    private static final Duration READY_POLL = Duration.ofMillis(250);
    private volatile boolean ready;
    private volatile String notReady = "creating the indexes";
    /** The peer the indexes wait on until they exist: embedd (its readiness, the dimension probe), then vectord. */
    private volatile String waitingOn = "embedd";
    private volatile boolean closed;
    private Thread thread;

    public MemoryIndex(Path dataDir, String index, URI vectordUrl, EmbeddClient embedd, VectordClient vectord,
                       Memories memories, MeterRegistry registry) {
        this.memories = memories;
        this.embedd = embedd;
        this.vectord = vectord;
        this.vectordUrl = vectordUrl;
        this.current = index;
        this.history = index + "_history";
        this.watermarkFile = dataDir.resolve("index-watermark.json");
        this.watermark = readWatermark();
        this.indexed = outcome(registry, "indexed");
        this.skipped = outcome(registry, "skipped");
        this.failures = outcome(registry, "failed");
        Gauge.builder("pathwayd.index.pending", pending, Map::size).description("log entries search does not see yet")
                .register(registry);
        memories.listen(this::queue);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("pathwayd.index.entries").tag("outcome", outcome)
                .description("log entries the indexer handled: indexed, skipped (a text embedd refused), failed (retried)")
                .register(registry);
    }

    /** The index names: current first, then history. */
    public List<String> names() {
        return List.of(current, history);
    }

    public long pending() {
        return pending.size();
    }

    /** Called for every log entry, replayed and new, on the log's writer thread: queue it unless already indexed. */
    private void queue(VersionLog.Entry e) {
        if (e.seq() > watermark) {
            pending.put(e.seq(), e);
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    /** Starts the indexer thread (after the log is loaded). */
    public void start() {
        thread = Thread.ofPlatform().name("pathwayd-indexer").daemon(true).start(this::run);
    }

    /** Waits until entry {@code seq} is searchable; false when {@code wait} passed first. */
    public boolean awaitIndexed(long seq, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (progress) {
            while (watermark < seq) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void run() {
        int retry = 0;
        while (!closed) {
            try {
                if (!ready) {
                    if (!embedd.ready()) {   // its model still loading: wait for it without calling (nor opening the breaker)
                        notReady = "waiting for embedd to be ready";
                        Thread.sleep(READY_POLL.toMillis());
                        continue;
                    }
                    createIndexes();
                    ready = true;
                    LOG.info("indexes " + current + " and " + history + " ready on " + vectordUrl + "; " + pending.size()
                            + " log entries to index");
                }
                List<VersionLog.Entry> batch = nextBatch();
                if (batch.isEmpty()) {
                    synchronized (progress) {
                        if (pending.isEmpty() && !closed) {
                            progress.wait(1_000);
                        }
                    }
                    continue;
                }
                index(batch);
                long last = batch.get(batch.size() - 1).seq();
                batch.forEach(e -> pending.remove(e.seq()));
                if (pending.isEmpty() || System.nanoTime() - persisted > WATERMARK_EVERY.toNanos()) {
                    writeWatermark(last);   // under load at most twice a second: re-indexing a little after a crash is harmless
                    persisted = System.nanoTime();
                }
                indexed.increment(batch.size());
                synchronized (progress) {
                    watermark = last;
                    progress.notifyAll();
                }
                retry = 0;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | IOException e) {
                failures.increment();
                notReady = e.getMessage();
                // not ready yet (start-up): retry within a second, /ready waits on it; later, back off to ~13 s
                Duration pause = Backoff.jittered(Duration.ofMillis(200), Math.min(retry++, ready ? 6 : 2));
                LOG.log(retry == 1 ? Level.WARNING : Level.FINE, "indexing failed (retrying every " + pause.toMillis()
                        + " ms while it fails): " + e.getMessage());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private final java.util.Set<String> warnedUngated = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void createIndexes() {
        waitingOn = "embedd";
        int dims = embedd.embed("pathwayd dimension probe").length;
        waitingOn = "vectord";
        for (String name : names()) {
            try {
                // gated: a matrixd corpus that names a memory index is role-gated whatever its registration says
                vectord.create(vectordUrl, name, dims, "cosine", true);
            } catch (dev.lakehouse.common.ApiException.Conflict e) {
                // made before indexes had gates: it serves on, ungated, until it is dropped and rebuilt (docs/pathwayd.md)
                if (warnedUngated.add(name)) {
                    LOG.warning("vectord index '" + name + "' exists without the role gate: " + e.detail()
                            + "; drop it (DELETE /v1/indexes/" + name + ") and pathwayd rebuilds it gated");
                }
            }
        }
    }

    /** The first queued entries, in sequence order, with at most {@value #BATCH_TEXTS} versions (at least one entry). */
    private List<VersionLog.Entry> nextBatch() {
        List<VersionLog.Entry> batch = new ArrayList<>();
        int versions = 0;
        for (VersionLog.Entry e : pending.values()) {
            if (!batch.isEmpty() && versions + e.versions().size() > BATCH_TEXTS) {
                break;
            }
            batch.add(e);
            versions += e.versions().size();
        }
        return batch;
    }

    /** Brings both indexes up to the batch: every version with text into history, each touched memory's latest into current. */
    private void index(List<VersionLog.Entry> batch) {
        List<Version> historyPoints = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        List<VersionLog.Purge> purges = new ArrayList<>();
        for (VersionLog.Entry e : batch) {
            if (e.purged() != null) {
                purges.add(e.purged());
                touched.add(e.purged().id());
            }
            for (Version v : e.versions()) {
                if (!v.deleted() && held(v)) {   // a version purged since it was queued is never indexed
                    historyPoints.add(v);
                }
                touched.add(v.id());
            }
        }
        List<Version> currentPoints = new ArrayList<>();
        List<String> currentDeletes = new ArrayList<>();
        for (String id : touched) {
            Memory m = memories.get(id).orElse(null);
            if (m == null) {   // purged
                currentDeletes.add(id);
                continue;
            }
            Version latest = m.latest();   // the state now: a later entry re-does it anyway
            boolean open = !latest.deleted() && (latest.validTo() == null || latest.validTo().isAfter(latest.recordedAt()));
            if (open) {
                currentPoints.add(latest);
            } else {
                currentDeletes.add(id);
            }
        }
        Map<String, float[]> vectors = embed(historyPoints, currentPoints);
        try (var both = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {   // the two indexes at once
            var h = both.submit(() -> upsert(history, historyPoints, vectors, true));
            upsert(current, currentPoints, vectors, false);
            h.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable("stopping", "interrupted while indexing");
        }
        for (String id : currentDeletes) {
            vectord.deleteIfPresent(vectordUrl, current, id);
        }
        for (VersionLog.Purge p : purges) {   // every version's point: their vectors and payloads leave vectord
            for (int n = 1; n <= p.versions(); n++) {
                vectord.deleteIfPresent(vectordUrl, history, p.id() + "~" + n);
            }
        }
        if (!purges.isEmpty()) {   // a snapshot drops the WAL generations that still held the purged points
            vectord.snapshot(vectordUrl, current);
            vectord.snapshot(vectordUrl, history);
        }
    }

    /** Whether the log still holds this version (a memory purged, or purged and written again, does not). */
    private boolean held(Version v) {
        Memory m = memories.get(v.id()).orElse(null);
        return m != null && m.versions().size() >= v.version() && m.versions().get(v.version() - 1).recordedAt().equals(v.recordedAt());
    }

    /** One embedding per distinct text; a text embedd refuses (4xx) is left out, counted and logged. */
    private Map<String, float[]> embed(List<Version> a, List<Version> b) {
        Set<String> texts = new LinkedHashSet<>();
        a.forEach(v -> texts.add(v.text()));
        b.forEach(v -> texts.add(v.text()));
        List<String> list = List.copyOf(texts);
        Map<String, float[]> out = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return out;
        }
        try {
            List<float[]> vs = embedd.embedAll(list);
            for (int i = 0; i < list.size(); i++) {
                out.put(list.get(i), vs.get(i));
            }
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw e;
            }
            for (String t : list) {   // one text refused: find it, keep the others
                try {
                    out.put(t, embedd.embed(t));
                } catch (ApiException one) {
                    if (one.status() >= 500) {
                        throw one;
                    }
                    skipped.increment();
                    LOG.warning("embedd refused a memory's text (" + one.detail() + "); that version is not searchable");
                }
            }
        }
        return out;
    }

    private void upsert(String index, List<Version> versions, Map<String, float[]> vectors, boolean perVersion) {
        List<VectordClient.Point> points = new ArrayList<>();
        for (Version v : versions) {
            float[] vector = vectors.get(v.text());
            if (vector != null) {
                points.add(new VectordClient.Point(perVersion ? v.id() + "~" + v.version() : v.id(), vector, payload(v)));
            }
        }
        if (!points.isEmpty()) {
            vectord.upsert(vectordUrl, index, points);
        }
    }

    private static ObjectNode payload(Version v) {
        ObjectNode p = Json.mapper().createObjectNode().put("doc_id", v.id()).put("memory_id", v.id()).put("version", v.version())
                .put("kind", v.kind());
        putIf(p, "role", v.role());
        putIf(p, "scope", v.scope());
        putIf(p, "user", v.user());
        putIf(p, "valid_from", v.validFrom().toString());   // matrixd serves a playbook only inside its window
        putIf(p, "valid_to", v.validTo() == null ? null : v.validTo().toString());
        return p.put("text", v.text());
    }

    private static void putIf(ObjectNode p, String field, String value) {
        if (value != null) {
            p.put(field, value);
        }
    }

    /**
     * Ready when both search indexes exist in vectord (embedd answered the dimension probe): until then {@code /ready}
     * is 503 saying what it waits for, so that {@code bin/lakehouse up} does not report pathwayd ready while its searches
     * would answer 503 {@code index_not_ready}.
     */
    public dev.lakehouse.common.Readiness readiness() {
        return ready ? dev.lakehouse.common.Readiness.up() : dev.lakehouse.common.Readiness.waitingFor(
                waitingOn, "search indexes: " + notReady);
    }

    /**
     * The memories most like the query among those current at the request's times, best first. 503
     * {@code index_not_ready} until the indexes exist; embedd's and vectord's failures as theirs.
     */
    public PathwaydWire.SearchResponse search(PathwaydWire.SearchRequest req) {
        long start = System.nanoTime();
        if (!ready) {
            throw new ApiException.Unavailable("index_not_ready", "pathwayd's search indexes are not ready: " + notReady);
        }
        Instant now = Instant.now();
        Instant asOf = req.asOf() == null ? null : dev.lakehouse.common.FieldError.time(req.asOf(), "as_of");
        Instant validAt = req.validAt() != null ? dev.lakehouse.common.FieldError.time(req.validAt(), "valid_at")
                : asOf != null ? asOf : now;
        boolean past = asOf != null || req.validAt() != null;
        String index = past ? history : current;
        byte[] query = embedd.embedJson(req.query());   // passed on to vectord as embedd wrote it
        JsonNode filter = filter(req);
        int fetch = Math.min(MAX_FETCH, past ? 4 * req.k() + 16 : 2 * req.k() + 8);
        List<PathwaydWire.Hit> hits;
        while (true) {
            List<VectordClient.SearchHit> found = vectord.search(vectordUrl, index, query, fetch, filter).hits();
            hits = keep(found, req, asOf == null ? now : asOf, validAt, past);
            if (hits.size() >= req.k() || found.size() < fetch || fetch == MAX_FETCH) {
                break;
            }
            fetch = Math.min(MAX_FETCH, fetch * 4);
        }
        double ms = Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
        return new PathwaydWire.SearchResponse(List.copyOf(hits.subList(0, Math.min(req.k(), hits.size()))),
                asOf == null ? now : asOf, validAt, past ? "history" : "current", pending.size(), ms);
    }

    private static JsonNode filter(PathwaydWire.SearchRequest req) {
        ObjectNode f = Json.mapper().createObjectNode();
        for (String field : PathwaydWire.FILTERS) {
            List<String> values = req.values(field);
            if (values != null) {
                ArrayNode any = f.putArray(field);
                values.forEach(any::add);
            }
        }
        return f.isEmpty() ? null : f;
    }

    /** The hits the log confirms, one per memory, in vectord's order. */
    private List<PathwaydWire.Hit> keep(List<VectordClient.SearchHit> found, PathwaydWire.SearchRequest req, Instant asOf,
                                        Instant validAt, boolean past) {
        List<PathwaydWire.Hit> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (VectordClient.SearchHit h : found) {
            JsonNode p = h.payload();
            String id = p == null ? null : p.path("memory_id").asText(null);
            Memory m = id == null ? null : memories.get(id).orElse(null);
            if (m == null || seen.contains(id)) {
                continue;
            }
            Version v = past ? m.at(asOf) : m.latest();
            if (v == null || v.deleted() || past && v.version() != p.path("version").asInt() || !v.validAt(validAt)
                    || !matches(v, req)) {
                continue;
            }
            seen.add(id);
            out.add(new PathwaydWire.Hit(id, v.version(), h.score(), PathwaydWire.VersionView.of(m, v)));
        }
        return out;
    }

    private static boolean matches(Version v, PathwaydWire.SearchRequest req) {
        return in(req.values("role"), v.role()) && in(req.values("scope"), v.scope()) && in(req.values("user"), v.user())
                && in(req.values("kind"), v.kind()) && PathwaydWire.metadataMatches(v, req.metadata());
    }

    private static boolean in(List<String> wanted, String value) {
        return wanted == null || value != null && wanted.contains(value);
    }

    private long readWatermark() {
        try {
            AtomicFile.cleanUp(watermarkFile);
            if (!Files.exists(watermarkFile)) {
                return 0;
            }
            return Json.mapper().readTree(Files.readAllBytes(watermarkFile)).path("seq").asLong(0);
        } catch (IOException e) {
            LOG.warning(watermarkFile + " is unreadable (" + e.getMessage() + "); indexing the whole log again");
            return 0;
        }
    }

    private void writeWatermark(long seq) throws IOException {
        Files.createDirectories(watermarkFile.getParent());
        AtomicFile.write(watermarkFile, ("{\"seq\":" + seq + "}\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        closed = true;
        synchronized (progress) {
            progress.notifyAll();
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (watermark > 0) {
                writeWatermark(watermark);
            }
        } catch (IOException e) {
            LOG.warning("could not save the index watermark (the next start re-indexes a little): " + e.getMessage());
        }
    }
}
