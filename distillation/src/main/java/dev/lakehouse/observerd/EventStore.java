package dev.lakehouse.observerd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Readiness;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.JsonLines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The observation store: daily JSON-lines files {@code <dir>/YYYY-MM-DD.jsonl}
 * (the UTC day of each event's {@code ts}), appended through a
 * {@link GroupCommitter} so a batch is acknowledged only after its lines are
 * fsynced, and concurrent batches share one fsync.
 *
 * <p>Idempotence: every stored {@code event_id} is kept in memory (loaded from
 * the files at start, about 100 bytes per event), so a batch replayed after a
 * lost acknowledgement stores nothing twice, across restarts too. Only the
 * writer thread reads or changes that set. A group whose write fails is cut
 * back from every file it touched, so no unacknowledged line stays behind.
 *
 * <p>Reads scan the day files between {@code since} and {@code until}, one day
 * at a time, sorted by (ts, event_id): memory is bounded by one day's matches.
 */
public final class EventStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventStore.class.getName());
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static final int OPEN_FILES = 4;

    /** What one batch did. */
    public record Appended(int accepted, int duplicates) {
    }

    /** A read: every field optional but {@code limit}. */
    public record Query(String kind, Instant since, Instant until, int limit) {
    }

    private final Path dir;
    /** Held by the writer while it appends (and may cut back), and by an erasure while it reads the files' sizes. */
    private final Object appendLock = new Object();
    private final Set<String> seen = new HashSet<>();
    private final Map<String, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Map<String, LongAdder>> countsByDay = new ConcurrentHashMap<>();
    private final AtomicLong knownIds = new AtomicLong();
    private final Counter accepted;
    private final Counter duplicates;
    private final Timer fsync;
    private final GroupCommitter<List<ObserveEvent>, Appended> committer;
    private volatile boolean loaded;

    public EventStore(Path dir, MeterRegistry registry) {
        this.dir = dir;
        this.accepted = Counter.builder("observerd.events.accepted").description("events stored").register(registry);
        this.duplicates = Counter.builder("observerd.events.duplicates").description("events already stored (same event_id)").register(registry);
        this.fsync = Timer.builder("observerd.fsync").description("append + fsync of one group").register(registry);
        Gauge.builder("observerd.event.ids", knownIds, AtomicLong::get).description("event ids held for de-duplication").register(registry);
        Gauge.builder("observerd.store.bytes", this, EventStore::bytesOnDisk).baseUnit("bytes").register(registry);
        this.committer = new GroupCommitter<>("observerd", 1024, 64, this::write);
    }

    /** Scans every day file (cutting torn tails) to rebuild the id set and the counts. Call once, at start. */
    public void load() {
        try {
            Files.createDirectories(dir);
            for (Path file : dayFiles()) {
                JsonLines.repairTail(file);
                String day = dayOf(file);
                JsonLines.read(file, 0, (line, offset) -> {
                    JsonNode node = parseStored(line, file, offset);
                    if (node != null) {
                        seen.add(node.path("event_id").asText());
                        count(day, node.path("kind").asText());
                    }
                    return true;
                });
            }
            knownIds.set(seen.size());
            loaded = true;
            LOG.info("loaded " + seen.size() + " events from " + dir.getFileName() + "/");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load events from " + dir, e);
        }
    }

    public Readiness readiness() {
        return loaded ? Readiness.up() : Readiness.down("loading events");
    }

    /** Stores a batch; returns once its new events are on disk. */
    public Appended append(List<ObserveEvent> events) {
        requireLoaded();
        return committer.submit(events, WRITE_TIMEOUT);
    }

    private void requireLoaded() {
        if (!loaded) {
            throw new ApiException.Unavailable("loading", "observerd is still loading its events");
        }
    }

    /** What an erasure did to the day files. */
    public record Erased(long filesRead, long bytesRead, long filesChanged, long eventsMasked, long eventsUnmaskable) {
    }

    /**
     * Forgets a person (docs/privacy.md, "Erasure"): every stored event naming them is masked in place — the
     * identifiers' characters become {@code *}, the line keeps its length, so every byte range distilld's runs recorded
     * still holds; the event keeps its id, kind and time (so counts and de-duplication stay right). Covers what was
     * stored when it began; writes go on meanwhile.
     */
    public Erased erase(dev.lakehouse.common.SubjectIdentifiers subject) throws IOException {
        requireLoaded();
        Map<Path, Long> sizes = new LinkedHashMap<>();
        synchronized (appendLock) {
            for (Path f : dayFiles()) {
                sizes.put(f, Files.size(f));
            }
        }
        dev.lakehouse.common.FileErasure.Masked m = dev.lakehouse.common.FileErasure.Masked.NONE;
        for (var e : sizes.entrySet()) {
            m = m.plus(dev.lakehouse.common.FileErasure.maskInPlace(e.getKey(), subject, e.getValue()));
        }
        return new Erased(m.files(), m.bytes(), m.filesChanged(), m.linesMasked(), m.linesUnmaskable());
    }

    /** Runs on the writer thread only. */
    private List<Appended> write(List<List<ObserveEvent>> batches) throws IOException {
        Set<String> fresh = new HashSet<>();
        Map<String, ByteArrayOutputStream> byDay = new TreeMap<>();
        List<Appended> results = new ArrayList<>(batches.size());
        Map<String, Map<String, Integer>> newCounts = new HashMap<>();
        String receivedAt = Instant.now().toString();
        for (List<ObserveEvent> batch : batches) {
            int ok = 0;
            int dup = 0;
            for (ObserveEvent e : batch) {
                if (seen.contains(e.eventId()) || !fresh.add(e.eventId())) {
                    dup++;
                    continue;
                }
                ByteArrayOutputStream out = byDay.computeIfAbsent(e.day(), d -> new ByteArrayOutputStream());
                out.write(Json.bytes(new StoredEvent(e, receivedAt)));
                out.write('\n');
                newCounts.computeIfAbsent(e.day(), d -> new HashMap<>()).merge(e.kind(), 1, Integer::sum);
                ok++;
            }
            results.add(new Appended(ok, dup));
        }
        if (!byDay.isEmpty()) {
            long start = System.nanoTime();
            synchronized (appendLock) {
                appendDurably(byDay);
            }
            fsync.record(Duration.ofNanos(System.nanoTime() - start));
        }
        seen.addAll(fresh);
        knownIds.set(seen.size());
        newCounts.forEach((day, kinds) -> kinds.forEach((kind, n) -> countsByDay
                .computeIfAbsent(day, d -> new ConcurrentHashMap<>()).computeIfAbsent(kind, k -> new LongAdder()).add(n)));
        results.forEach(r -> {
            accepted.increment(r.accepted());
            duplicates.increment(r.duplicates());
        });
        return results;
    }

    /** Appends to each day file and fsyncs them all; on failure cuts every file back to where it was. */
    private void appendDurably(Map<String, ByteArrayOutputStream> byDay) throws IOException {
        Map<FileChannel, Long> before = new LinkedHashMap<>();
        try {
            for (var entry : byDay.entrySet()) {
                FileChannel ch = channel(entry.getKey());
                before.put(ch, ch.size());
                ByteBuffer buf = ByteBuffer.wrap(entry.getValue().toByteArray());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            for (FileChannel ch : before.keySet()) {
                ch.force(false);
            }
        } catch (IOException | RuntimeException e) {
            for (var b : before.entrySet()) {
                try {
                    b.getKey().truncate(b.getValue());
                    b.getKey().force(false);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private FileChannel channel(String day) throws IOException {
        FileChannel ch = open.get(day);
        if (ch != null) {
            return ch;
        }
        if (open.size() >= OPEN_FILES) {
            var eldest = open.entrySet().iterator().next();
            eldest.getValue().close();
            open.remove(eldest.getKey());
        }
        ch = FileChannel.open(dir.resolve(day + ".jsonl"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        open.put(day, ch);
        return ch;
    }

    /** The stored line: the event as posted (ts in UTC) plus when observerd took it. */
    record StoredEvent(String eventId, String ts, String kind, String daemon, String requestId, JsonNode payload,
                       String receivedAt) {
        StoredEvent(ObserveEvent e, String receivedAt) {
            this(e.eventId(), e.ts(), e.kind(), e.daemon(), e.requestId(), e.payload(), receivedAt);
        }
    }

    /** Writes matching events as JSON lines, in (ts, event_id) order, at most {@code limit}. Returns how many. */
    public int read(Query q, OutputStream out) throws IOException {
        requireLoaded();
        String fromDay = q.since() == null ? null : q.since().toString().substring(0, 10);
        String toDay = q.until() == null ? null : q.until().toString().substring(0, 10);
        int written = 0;
        for (Path file : dayFiles()) {
            String day = dayOf(file);
            if (fromDay != null && day.compareTo(fromDay) < 0 || toDay != null && day.compareTo(toDay) > 0) {
                continue;
            }
            record Hit(Instant ts, String id, byte[] line) {
            }
            // only the first (limit - written) hits of this day in (ts, event_id) order are kept: memory stays
            // bounded by the limit however large the day file is (a max-heap evicts the latest)
            int room = q.limit() - written;
            Comparator<Hit> order = Comparator.comparing(Hit::ts).thenComparing(Hit::id);
            java.util.PriorityQueue<Hit> kept = new java.util.PriorityQueue<>(Math.min(room, 1024) + 1, order.reversed());
            JsonLines.read(file, 0, (line, offset) -> {
                JsonNode node = parseStored(line, file, offset);
                if (node == null || q.kind() != null && !q.kind().equals(node.path("kind").asText())) {
                    return true;
                }
                Instant ts = Instant.parse(node.path("ts").asText());
                if (q.since() != null && ts.isBefore(q.since()) || q.until() != null && !ts.isBefore(q.until())) {
                    return true;
                }
                kept.add(new Hit(ts, node.path("event_id").asText(), line));
                if (kept.size() > room) {
                    kept.poll();
                }
                return true;
            });
            List<Hit> hits = new ArrayList<>(kept);
            hits.sort(order);
            for (Hit h : hits) {
                out.write(h.line());
                out.write('\n');
                written++;
            }
            if (written == q.limit()) {
                return written;
            }
        }
        return written;
    }

    /** Events per kind per day, and bytes per day file. */
    public record Stats(long events, long bytes, Map<String, DayStats> days) {
    }

    public record DayStats(long events, long bytes, Map<String, Long> kinds) {
    }

    public Stats stats() {
        requireLoaded();
        Map<String, DayStats> days = new TreeMap<>();
        long events = 0;
        long bytes = 0;
        for (var day : new TreeMap<>(countsByDay).entrySet()) {
            Map<String, Long> kinds = new TreeMap<>();
            day.getValue().forEach((k, v) -> kinds.put(k, v.sum()));
            long n = kinds.values().stream().mapToLong(Long::longValue).sum();
            long size = sizeOf(dir.resolve(day.getKey() + ".jsonl"));
            days.put(day.getKey(), new DayStats(n, size, kinds));
            events += n;
            bytes += size;
        }
        return new Stats(events, bytes, days);
    }

    private long bytesOnDisk() {
        try {
            return dayFiles().stream().mapToLong(EventStore::sizeOf).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private void count(String day, String kind) {
        countsByDay.computeIfAbsent(day, d -> new ConcurrentHashMap<>()).computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private List<Path> dayFiles() throws IOException {
        return JsonLines.list(dir, "\\d{4}-\\d{2}-\\d{2}\\.jsonl");
    }

    private static String dayOf(Path file) {
        return file.getFileName().toString().substring(0, 10);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static JsonNode parseStored(byte[] line, Path file, long offset) {
        try {
            JsonNode node = Json.mapper().readTree(line);
            if (node != null && node.hasNonNull("event_id") && node.hasNonNull("ts")) {
                return node;
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        LOG.warning(file + " offset " + offset + ": skipped a line that is not a stored event");
        return null;
    }

    @Override
    public void close() {
        committer.close();
        for (FileChannel ch : open.values()) {
            try {
                ch.force(true);
                ch.close();
            } catch (IOException e) {
                LOG.warning("closing an event file failed: " + e.getMessage());
            }
        }
        open.clear();
    }
}
