package dev.lakehouse.common;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The platform's one retry timing: exponential backoff with jitter between
 * attempts, and the {@code Retry-After} a 503 gives its caller. Used by
 * {@link PeerClient} (daemon to daemon), chatd's dispatcher (to providers) and the
 * gateway (an open breaker).
 */
public final class Backoff {
    /** The delay doubles at most this many times (2^10 × the base). */
    static final int MAX_DOUBLINGS = 10;

    private Backoff() {
    }

    /**
     * The wait before retry {@code retry} (1 for the first): {@code base × 2^(retry-1)},
     * at most {@value #MAX_DOUBLINGS} doublings, drawn uniformly from its upper half
     * so that callers failing together do not retry together.
     */
    public static Duration jittered(Duration base, int retry) {
        long full = base.toMillis() << Math.min(Math.max(retry, 1) - 1, MAX_DOUBLINGS);
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
    }

    /** A {@code Retry-After} value: whole seconds, rounded up, at least 1. */
    public static String retryAfter(Duration wait) {
        long ms = Math.max(0, wait.toMillis());
        return Long.toString(Math.max(1, (ms + 999) / 1000));
    }
}
