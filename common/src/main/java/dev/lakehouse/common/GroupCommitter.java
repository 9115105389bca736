package dev.lakehouse.common;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;


/**
 * Group commit for an append-only store: callers {@link #submit} items and wait;
 * one writer thread takes every item waiting at that moment (up to
 * {@code maxGroup}), hands them to the {@link Writer} in one call — which appends
 * them and fsyncs once — and completes each caller with its result. Concurrent
 * writers so share one fsync, and the store needs no lock of its own: only the
 * writer thread ever touches it.
 *
 * <p>The queue is bounded: when it is full a caller gets 503 {@code busy} at
 * once. A group the disk refuses (an {@code IOException}) fails every caller in
 * it with 503 {@code storage_failed}; any other failure is a bug and fails them
 * with it (a 500, which the fuzz suite reports). Either way the writer must leave
 * the store as it was before that group.
 */
public final class GroupCommitter<T, R> implements AutoCloseable {
    /** Appends a group and makes it durable; returns one result per item, in order. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<R> write(List<T> items) throws IOException;
    }

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    private static final Logger LOG = Logger.getLogger(GroupCommitter.class.getName());

    private final String name;
    private final Writer<T, R> writer;
    private final BlockingQueue<Pending<T, R>> queue;
    private final int maxGroup;
    private final Thread thread;
    private volatile boolean closed;

    public GroupCommitter(String name, int queueCapacity, int maxGroup, Writer<T, R> writer) {
        this.name = name;
        this.writer = writer;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxGroup = maxGroup;
        this.thread = Thread.ofPlatform().name(name + "-writer").daemon(true).start(this::run);
    }

    /** Queues an item and waits until it is durable. */
    public R submit(T item, Duration timeout) {
        CompletableFuture<R> result = submitAsync(item);
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException.Unavailable("storage_slow", name + " did not make the write durable within "
                    + timeout.toMillis() + " ms; it may still be written (writes are idempotent only where the API says so)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable("interrupted", "interrupted while waiting for " + name);
        }
    }

    /**
     * Queues an item without waiting: the future completes when it is durable (or fails as {@link #submit} would).
     * For a producer that need not hold its caller until then (distilld's replay goes on to its next item).
     */
    public CompletableFuture<R> submitAsync(T item) {
        if (closed) {
            throw new ApiException.Unavailable("stopping", name + " is stopping");
        }
        Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
        if (!queue.offer(pending)) {
            throw new ApiException.Unavailable(null, "busy", name + " has " + queue.size()
                    + " writes waiting; retry shortly", Map.of("Retry-After", "1"), null);
        }
        return pending.result();
    }

    public int queued() {
        return queue.size();
    }

    private void run() {
        List<Pending<T, R>> group = new ArrayList<>(maxGroup);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending<T, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, maxGroup - 1);
                commit(group);
            } catch (InterruptedException e) {
                if (closed) {
                    continue;   // drain what is left, then stop
                }
                Thread.currentThread().interrupt();
                return;
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending<T, R>> group) {
        List<T> items = new ArrayList<>(group.size());
        group.forEach(p -> items.add(p.item()));
        try {
            List<R> results = writer.write(items);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(results.get(i));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, name + ": a write of " + items.size() + " items failed and was rolled back", e);
            // a disk that refuses is a failed dependency (503); anything else is a bug, and says so (500)
            RuntimeException failure = e instanceof ApiException api ? api
                    : e instanceof IOException ? new ApiException.Unavailable("storage_failed", name + " could not write to disk: "
                    + e.getMessage())
                    : new IllegalStateException(name + " failed to apply a write: " + e.getMessage(), e);
            group.forEach(p -> p.result().completeExceptionally(failure));
        }
    }

    /** Stops taking writes, finishes the queued ones, and waits for the writer thread. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
