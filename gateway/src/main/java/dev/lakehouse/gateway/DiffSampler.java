package dev.lakehouse.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Meters;
import dev.lakehouse.common.Periodic;
import dev.lakehouse.common.PeerClient;

/**
 * Shadow differences journaled as samples with counts (docs/cutover.md): per route and window ({@code GATEWAY_DIFF_WINDOW},
 * 60 s) the first {@code GATEWAY_DIFF_SAMPLES} (10) differences are journaled whole ({@code cutover.diff}), the rest only
 * counted; at the window's end one {@code cutover.diff.summary} gives the route's differences, journaled and not. The
 * caller's request and the shadow slot never wait: {@link #offer} queues (at most {@value #QUEUE}; past it a sample is
 * counted as not journaled) and one thread of its own posts to journald.
 */
final class DiffSampler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DiffSampler.class.getName());
    static final int QUEUE = 1000;

    private final PeerClient journald;   // null: counted only
    private final int samples;
    private final Meters meters;
    private final BlockingQueue<ObjectNode> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Periodic flusher;
    private final Thread sender;
    private volatile boolean closing;

    private static final class Window {
        final Instant start = Instant.now();
        final AtomicLong diffs = new AtomicLong();
        final AtomicLong journaled = new AtomicLong();
    }

    DiffSampler(PeerClient journald, Duration window, int samples, Meters meters) {
        this.journald = journald;
        this.samples = samples;
        this.meters = meters;
        this.flusher = Periodic.every("diff-window", window, this::flush);
        this.sender = Thread.ofVirtual().name("diff-sender").start(this::send);
    }

    /** A difference of {@code route}: journaled whole while the window has samples left, else counted. Never blocks. */
    void offer(String route, ObjectNode diff) {
        Window w = windows.computeIfAbsent(route, r -> new Window());
        long n = w.diffs.incrementAndGet();
        if (journald != null && n <= samples && queue.offer(entry("cutover.diff", route, diff))) {
            w.journaled.incrementAndGet();
        } else {
            meters.counter("gateway.shadow.diffs.unjournaled", "shadow differences counted but not journaled whole (sampled)",
                    "route", route).increment();
        }
    }

    /** Ends every window: a summary of each route that had differences in it. */
    void flush() {
        for (String route : windows.keySet()) {
            Window w = windows.remove(route);
            if (w == null || journald == null) {
                continue;
            }
            ObjectNode data = Json.mapper().createObjectNode().put("route", route).put("window_start", w.start.toString())
                    .put("window_end", Instant.now().toString()).put("diffs", w.diffs.get()).put("journaled", w.journaled.get())
                    .put("not_journaled", w.diffs.get() - w.journaled.get());
            if (!queue.offer(entry("cutover.diff.summary", route, data))) {
                LOG.warning("cutover.diff.summary of " + route + " dropped: the journal queue is full (" + w.diffs.get() + " diffs)");
            }
        }
    }

    private static ObjectNode entry(String type, String route, ObjectNode data) {
        ObjectNode e = Json.mapper().createObjectNode().put("type", type).put("actor", "gateway").put("subject", route);
        e.set("data", data);
        return e;
    }

    private void send() {
        while (!closing || !queue.isEmpty()) {
            ObjectNode e;
            try {
                e = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException stop) {
                return;
            }
            if (e == null) {
                continue;
            }
            try {
                journald.post("/v1/journal/entries", e, ObjectNode.class, false);
            } catch (ApiException failed) {
                LOG.warning(e.path("type").asText() + " of " + e.path("subject").asText() + " not journaled: " + failed.detail());
            }
        }
    }

    @Override
    public void close() {
        flusher.close(Duration.ofSeconds(1));
        flush();
        closing = true;
        try {
            sender.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
