package dev.lakehouse.distilld;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;

/**
 * distilld's background work of one kind — replays, audits — one at a time, each on its own thread, its state kept in
 * memory while it runs: {@code running}, then {@code done} with its result, or {@code failed} with why. What a finished
 * job wrote stays on disk; the caller finds it there after a restart.
 */
public final class Jobs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Jobs.class.getName());
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** A job as answered; its result a {@link ReplaySummary} or an {@link AuditReport}. */
    record Job(String id, String kind, String run, String state, Map<String, Object> progress, String startedAt, String finishedAt,
               Object result, String error) {
    }

    /** The work: given its progress map, answers the result. */
    @FunctionalInterface
    interface Work {
        Object run(Map<String, Object> progress) throws IOException;
    }

    private final String kind;
    private final Map<String, Job> live = new ConcurrentHashMap<>();
    private volatile String running;
    private volatile Thread worker;

    Jobs(String kind) {
        this.kind = kind;
    }

    /** A new id: {@code <kind>-<time>-<4 hex>}. */
    String newId() {
        return newId(kind);
    }

    /** A new id of a kind ({@code replay}, {@code audit}): {@code <kind>-<time>-<4 hex>}. */
    public static String newId(String kind) {
        return kind + "-" + ID.format(Instant.now()) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    }

    /** What runs while no job does (an erasure). */
    @FunctionalInterface
    interface Exclusive<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} with no job of this kind running or starting; 409 {@code <kind>_in_progress} if one runs. */
    synchronized <T> T whileIdle(Exclusive<T> action) throws IOException {
        if (running != null) {
            throw new ApiException.Conflict(kind + "_in_progress", kind + " " + running + " is still running; try again when it is done");
        }
        return action.run();
    }

    /** Starts job {@code id} on run {@code run}; 409 {@code <kind>_in_progress} naming the running one. */
    synchronized Job start(String id, String run, Work work) {
        if (running != null) {
            throw new ApiException.Conflict(kind + "_in_progress", kind + " " + running + " is still running (GET /v1/distill/" + kind
                    + "s/" + running + "); one at a time");
        }
        Map<String, Object> progress = new ConcurrentHashMap<>();
        Job job = new Job(id, kind, run, "running", progress, Instant.now().toString(), null, null, null);
        live.put(id, job);
        running = id;
        worker = Thread.ofPlatform().name("distilld-" + id).daemon(true).start(() -> {
            Job done;
            try {
                Object result = work.run(progress);
                done = new Job(id, kind, run, "done", progress, job.startedAt(), Instant.now().toString(), result, null);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, kind + " " + id + " failed", e);
                done = new Job(id, kind, run, "failed", progress, job.startedAt(), Instant.now().toString(), null,
                        e instanceof ApiException a ? a.code() + ": " + a.detail() : e.toString());
            }
            live.put(id, done);
            running = null;
        });
        return job;
    }

    Optional<Job> live(String id) {
        return Optional.ofNullable(live.get(id));
    }

    @Override
    public void close() {
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }
}
