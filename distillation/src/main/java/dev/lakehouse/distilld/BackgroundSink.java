package dev.lakehouse.distilld;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import dev.lakehouse.common.Json;

/**
 * The materializer's records written by a thread of their own, in the order they were made: encoding a record (its tree,
 * its canonical bytes) and writing it is a fifth of materializing, and the materializer itself is one thread while the
 * machine has another core. The queue is bounded (the materializer waits when the writer is behind); a write that
 * fails is thrown by the next record handed over, or by {@link #close}, which writes what is queued and waits for it.
 */
final class BackgroundSink implements Materializer.Sink, AutoCloseable {
    private static final Object END = new Object();

    private final Exporter.Out evidence;
    private final Exporter.Out quarantine;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4096);
    private final Thread writer;
    private volatile IOException failed;

    BackgroundSink(Exporter.Out evidence, Exporter.Out quarantine) {
        this.evidence = evidence;
        this.quarantine = quarantine;
        this.writer = Thread.ofPlatform().name("distilld-materialize-writer").daemon(true).start(this::drain);
    }

    @Override
    public void evidence(Evidence e) throws IOException {
        put(e);
    }

    @Override
    public void quarantine(Quarantined q) throws IOException {
        put(q);
    }

    private void put(Object record) throws IOException {
        if (failed != null) {
            throw failed;
        }
        try {
            queue.put(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing a record to the writer", e);
        }
    }

    private void drain() {
        try {
            while (true) {
                Object r = queue.take();
                if (r == END) {
                    return;
                }
                if (failed != null) {
                    continue;   // the rest is not written; the failure is thrown to the materializer
                }
                try {
                    if (r instanceof Evidence e) {
                        evidence.json(Json.mapper().valueToTree(e));
                    } else {
                        quarantine.json(Json.mapper().valueToTree(r));
                    }
                } catch (IOException e) {
                    failed = e;
                } catch (RuntimeException e) {
                    failed = new IOException("cannot write a materialized record: " + e.getMessage(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued and waits for the writer; throws the first write that failed. */
    @Override
    public void close() throws IOException {
        try {
            queue.put(END);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the writer finished", e);
        }
        if (failed != null) {
            throw failed;
        }
    }
}
