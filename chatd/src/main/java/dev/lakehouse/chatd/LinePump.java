package dev.lakehouse.chatd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.helidon.webclient.api.HttpClientResponse;

/**
 * Opens a streamed answer and reads its lines on a virtual thread of its own, so
 * that the caller can wait for each next line with its own deadline ({@link #next}):
 * the socket's read timeout cannot tell a first-token timeout from a between-chunk
 * one, nor notice a provider that sends only keep-alive comments. {@link #close}
 * closes the response, which aborts the provider's connection. A line longer than
 * {@code maxLineBytes} ends the stream with an error instead of filling the heap.
 */
final class LinePump implements AutoCloseable {
    /** The next thing the stream said: a line, its end, or how it failed. */
    record Item(String line, RuntimeException failure) {
        boolean isEnd() {
            return line == null && failure == null;
        }
    }

    private static final Item END = new Item(null, null);

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(1024);
    private final int maxLineBytes;
    private HttpClientResponse response;
    private boolean closed;

    LinePump(Supplier<HttpClientResponse> open, int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
        Thread.ofVirtual().name("chatd-stream-reader").start(() -> pump(open));
    }

    private void pump(Supplier<HttpClientResponse> open) {
        HttpClientResponse r;
        try {
            r = open.get();
        } catch (RuntimeException e) {
            put(new Item(null, e));
            return;
        }
        synchronized (this) {
            if (closed) {
                r.close();
                return;
            }
            response = r;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buf = new byte[8192];
        try (InputStream in = r.inputStream()) {
            int n;
            while (!isClosed() && (n = in.read(buf)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, from, i - from);
                        put(new Item(line.toString(StandardCharsets.UTF_8), null));
                        line.reset();
                        from = i + 1;
                    }
                }
                line.write(buf, from, n - from);
                if (line.size() > maxLineBytes) {
                    throw new IOException("a streamed line is longer than " + maxLineBytes + " bytes");
                }
            }
            if (line.size() > 0) {
                put(new Item(line.toString(StandardCharsets.UTF_8), null));
            }
            put(END);
        } catch (IOException e) {
            put(new Item(null, new UncheckedIOException(e)));
        } catch (RuntimeException e) {
            put(new Item(null, e));
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void put(Item item) {
        try {
            while (!isClosed() && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // the consumer is slow (a slow caller): wait, unless it has gone
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next item, or null if none came within {@code wait}. */
    Item next(Duration wait) throws InterruptedException {
        return queue.poll(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Stops reading and closes the response, aborting the provider's connection if the answer is unfinished. */
    @Override
    public void close() {
        HttpClientResponse r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            r = response;
        }
        queue.clear();
        if (r != null) {
            try {
                r.close();
            } catch (RuntimeException ignored) {
                // already broken: nothing to release
            }
        }
    }
}
