package dev.lakehouse.common;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.helidon.http.Method;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The observation client: {@link #observe} records an event and returns at once;
 * it never blocks on the network and never throws. The rule: the observer may
 * fail, the platform may not — and no observation is lost.
 *
 * <p>Layout. {@code observe} puts the event on a bounded in-memory queue. One
 * sender thread posts batches of up to {@value #BATCH} to observerd's
 * {@code POST /v1/observe/events}. When observerd is unreachable, slow past the
 * timeout, or answers 5xx, the batch is appended to a spool file
 * ({@code <data dir>/observer-spool.jsonl}); while the spool holds anything,
 * new events go to its end too, so order is kept. The sender replays the spool
 * from a persisted offset ({@code observer-spool.offset}) when observerd
 * answers again, and truncates it once all of it is delivered. When the queue
 * is full, {@code observe} appends to the spool itself (a buffered write, no
 * fsync). The spool survives the daemon's own restart; a torn last line left by
 * a crash is skipped.
 *
 * <p>Exactly once: every event has an {@code event_id}; a batch whose
 * acknowledgement was lost is sent again and observerd drops the copy.
 *
 * <p>Locking: {@code spoolLock} guards the spool file and its offset; the queue
 * is thread-safe; only the sender thread posts.
 *
 * <p>Counters on /metrics: {@code observer_events_total{outcome=queued|sent|spooled|replayed|dropped|rejected}}.
 * {@code dropped} stays 0 unless the spool cannot be written (disk full; logged
 * at ERROR); {@code rejected} counts events observerd refused as invalid (4xx).
 */
public final class Observer implements AutoCloseable {
    static final int BATCH = 100;
    private static final Logger LOG = Logger.getLogger(Observer.class.getName());

    /**
     * The wire form of one event (observerd's {@code ObserveEvent}). The payload is
     * kept as its encoded JSON text from {@code observe()} on: a queue of strings
     * costs a fraction of the heap (and GC time) of a queue of JSON trees.
     */
    record Event(String eventId, String ts, String kind, String daemon, String requestId,
                 @JsonRawValue @JsonDeserialize(using = RawJson.class) String payload,
                 @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Boolean shadow) {
        Event(String eventId, String ts, String kind, String daemon, String requestId, String payload) {
            this(eventId, ts, kind, daemon, requestId, payload, null);
        }
    }

    /** Reads a spooled event's payload object back as its JSON text. */
    static final class RawJson extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Json.mapper().writeValueAsString(ctxt.readTree(p));
        }
    }

    record Batch(List<Event> events) {
    }

    private final String daemon;
    private final PeerClient observerd;
    private final BlockingQueue<Event> queue;
    private final Path spool;
    private final Path offsetFile;
    private final ReentrantLock spoolLock = new ReentrantLock();
    private final Duration maxBackoff;
    private final Thread sender;
    private volatile boolean closing;
    private FileOutputStream spoolOut;  // guarded by spoolLock; a stream, not a FileChannel: an interrupt must not close it
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean spoolHasData;

    private final Counter queued;
    private final Counter sent;
    private final Counter spooled;
    private final Counter replayed;
    private final Counter dropped;
    private final Counter rejected;

    /**
     * @param queueCapacity events held in memory before {@code observe} spools directly
     * @param maxBackoff    longest pause between attempts while observerd is down
     */
    public Observer(String daemon, PeerClient observerd, Path dataDir, int queueCapacity, Duration maxBackoff,
                    MeterRegistry registry) {
        this.daemon = daemon;
        this.observerd = observerd;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.spool = dataDir.resolve("observer-spool.jsonl");
        this.offsetFile = dataDir.resolve("observer-spool.offset");
        this.maxBackoff = maxBackoff;
        this.queued = outcome(registry, "queued");
        this.sent = outcome(registry, "sent");
        this.spooled = outcome(registry, "spooled");
        this.replayed = outcome(registry, "replayed");
        this.dropped = outcome(registry, "dropped");
        this.rejected = outcome(registry, "rejected");
        Gauge.builder("observer.queue.size", queue, BlockingQueue::size).register(registry);
        Gauge.builder("observer.spool.bytes", this, Observer::spoolBytes).baseUnit("bytes").register(registry);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir, e);
        }
        this.spoolHasData = Files.exists(spool);
        this.sender = Thread.ofPlatform().name("observer-sender").daemon(true).start(this::run);
    }

    /**
     * The usual client of a daemon: observerd at {@code LAKEHOUSE_OBSERVERD_URL},
     * spool under the daemon's data dir, queue {@code LAKEHOUSE_OBSERVER_QUEUE} (10,000),
     * post timeout {@code LAKEHOUSE_OBSERVER_TIMEOUT} (2s).
     */
    public static Observer create(String daemon, EnvConfig env, Path dataDir, MeterRegistry registry) {
        Duration timeout = env.duration("LAKEHOUSE_OBSERVER_TIMEOUT", Duration.ofSeconds(2));
        PeerClient client = PeerClient.forDaemon(DaemonId.OBSERVERD, env,
                new PeerClient.Options(Duration.ofMillis(500), timeout, 0, Duration.ZERO, 3, Duration.ofSeconds(2)));
        return new Observer(daemon, client, dataDir, env.integer("LAKEHOUSE_OBSERVER_QUEUE", 10_000, 1, 1_000_000),
                Duration.ofSeconds(5), registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("observer.events").tag("outcome", outcome)
                .description("observation events by what happened to them").register(registry);
    }

    /**
     * Records an event of {@code kind} with {@code payload} (any JSON-encodable object). Never blocks, never throws. An
     * event of a shadow copy ({@link RequestContext#shadow()}) says {@code "shadow": true}.
     */
    public void observe(String kind, Object payload) {
        try {
            Event e = new Event(UUID.randomUUID().toString(), Instant.now().toString(), kind, daemon,
                    RequestContext.currentId().orElse(null),
                    new String(Json.bytes(payload == null ? Map.of() : payload), StandardCharsets.UTF_8),
                    RequestContext.shadow() ? Boolean.TRUE : null);
            if (closing || !queue.offer(e)) {
                appendToSpool(List.of(e));
            } else {
                queued.increment();
            }
        } catch (RuntimeException e) {
            dropped.increment();
            LOG.log(Level.SEVERE, "an observation of kind " + kind + " could not be recorded", e);
        }
    }

    private void run() {
        long backoffMs = 0;
        while (!closing) {
            try {
                if (backoffMs > 0 && closed.await(backoffMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (hasSpool()) {
                    backoffMs = replaySpool() ? 0 : nextBackoff(backoffMs);
                    if (backoffMs > 0) {
                        spoolQueued();   // keep order: while the spool is not empty, newer events go after it
                    }
                    continue;
                }
                Event first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Event> batch = new ArrayList<>(BATCH);
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                if (post(batch)) {
                    sent.increment(batch.size());
                    backoffMs = 0;
                } else {
                    appendToSpool(batch);
                    backoffMs = nextBackoff(backoffMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "observer sender: " + e.getMessage(), e);
                backoffMs = nextBackoff(backoffMs);
            }
        }
    }

    private long nextBackoff(long current) {
        return Math.min(maxBackoff.toMillis(), current == 0 ? 100 : current * 2);
    }

    /** True when observerd took the batch (or refused it as invalid, which retrying cannot fix). */
    private boolean post(List<Event> batch) {
        try {
            observerd.send(Method.POST, "/v1/observe/events", Json.bytes(new Batch(batch)), true);
            return true;
        } catch (ApiException e) {
            if (e.status() < 500) {
                rejected.increment(batch.size());
                LOG.severe("observerd rejected " + batch.size() + " events: " + e.detail());
                return true;
            }
            return false;
        }
    }

    private void spoolQueued() {
        List<Event> pending = new ArrayList<>();
        queue.drainTo(pending);
        if (!pending.isEmpty()) {
            appendToSpool(pending);
        }
    }

    private void appendToSpool(List<Event> events) {
        StringBuilder sb = new StringBuilder(events.size() * 256);
        for (Event e : events) {
            sb.append(new String(Json.bytes(e), StandardCharsets.UTF_8)).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        spoolLock.lock();
        try {
            if (spoolOut == null) {
                spoolOut = new FileOutputStream(spool.toFile(), true);
            }
            spoolOut.write(bytes);
            spoolHasData = true;
            spooled.increment(events.size());
        } catch (IOException e) {
            dropped.increment(events.size());
            LOG.log(Level.SEVERE, "observer spool " + spool + " cannot be written; " + events.size()
                    + " observations are lost (disk full?)", e);
        } finally {
            spoolLock.unlock();
        }
    }

    private boolean hasSpool() {
        if (!spoolHasData) {
            return false;
        }
        spoolLock.lock();
        try {
            return Files.exists(spool) && Files.size(spool) > readOffset();
        } catch (IOException e) {
            return false;
        } finally {
            spoolLock.unlock();
        }
    }

    /**
     * Sends the next chunk of the spool (from the saved offset, at most
     * {@value #CHUNK} bytes or one whole line) in batches, saving the offset after
     * each acknowledged batch; true when that chunk was delivered.
     */
    private boolean replaySpool() {
        try {
            long offset = readOffset();
            List<Event> events = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            long readTo = readSpool(offset, events, ends);
            for (int from = 0; from < events.size(); from += BATCH) {
                int to = Math.min(events.size(), from + BATCH);
                if (!post(events.subList(from, to))) {
                    return false;
                }
                replayed.increment(to - from);
                writeOffset(ends.get(to - 1));
            }
            if (readTo > offset) {
                writeOffset(readTo);
            }
            truncateIfDelivered(readTo);
            return true;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "observer spool cannot be read: " + e.getMessage(), e);
            return false;
        }
    }

    static final int CHUNK = 4 << 20;

    /**
     * Reads the complete lines in the next chunk from {@code offset}; a torn or
     * unreadable line is skipped. Returns the offset just after the last complete line read.
     */
    private long readSpool(long offset, List<Event> events, List<Long> ends) throws IOException {
        byte[] bytes;
        spoolLock.lock();
        try {
            try (RandomAccessFile file = new RandomAccessFile(spool.toFile(), "r")) {
                bytes = new byte[(int) Math.max(0, Math.min(CHUNK, file.length() - offset))];
                file.seek(offset);
                file.readFully(bytes);
            }
        } finally {
            spoolLock.unlock();
        }
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            try {
                events.add(Json.mapper().readValue(bytes, start, i - start, Event.class));
                ends.add(offset + i + 1);
            } catch (IOException | RuntimeException e) {
                LOG.warning("observer spool: skipped an unreadable line at offset " + (offset + start));
            }
            start = i + 1;
        }
        if (start == 0 && bytes.length == CHUNK) {
            throw new IOException("a spooled line is longer than " + CHUNK + " bytes");
        }
        return offset + start;
    }

    private void truncateIfDelivered(long deliveredTo) throws IOException {
        spoolLock.lock();
        try {
            if (Files.size(spool) == deliveredTo) {
                spoolHasData = false;
                if (spoolOut != null) {
                    spoolOut.close();
                    spoolOut = null;
                }
                Files.delete(spool);
                Files.deleteIfExists(offsetFile);
            }
        } finally {
            spoolLock.unlock();
        }
    }

    private long readOffset() {
        try {
            return Files.exists(offsetFile) ? Long.parseLong(Files.readString(offsetFile).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;   // replaying from the start is safe: observerd drops duplicates
        }
    }

    private void writeOffset(long offset) throws IOException {
        Path tmp = offsetFile.resolveSibling(offsetFile.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(offset));
        Files.move(tmp, offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private long spoolBytes() {
        try {
            return Files.exists(spool) ? Files.size(spool) - readOffset() : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Events not yet acknowledged by observerd: in the queue or in the spool. For tests and status. */
    public long pending() {
        return queue.size() + (spoolBytes() > 0 ? 1 : 0);
    }

    /**
     * On stop: one last attempt to deliver the queue (bounded by the post
     * timeout), else it goes to the spool; the spool is fsynced.
     */
    @Override
    public void close() {
        closing = true;
        closed.countDown();   // wakes a backing-off sender; one posting finishes within its timeout
        try {
            sender.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Event> rest = new ArrayList<>();
        queue.drainTo(rest);
        boolean up = !hasSpool();
        for (int from = 0; from < rest.size(); from += BATCH) {
            List<Event> batch = rest.subList(from, Math.min(rest.size(), from + BATCH));
            if (up && post(batch)) {
                sent.increment(batch.size());
            } else {
                up = false;
                appendToSpool(batch);
            }
        }
        spoolLock.lock();
        try {
            if (spoolOut != null) {
                spoolOut.getFD().sync();
                spoolOut.close();
                spoolOut = null;
            }
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "observer spool could not be synced", e);
        } finally {
            spoolLock.unlock();
        }
    }
}
