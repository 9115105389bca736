package dev.lakehouse.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code burst} tokens, refilled at {@code perSecond};
 * a request takes one. Each bucket is guarded by its own monitor (no I/O inside);
 * the clock (nanoseconds) is injectable for tests.
 */
final class RateLimiter {
    /** 0 when the request may go; else the whole seconds to wait (for Retry-After). */
    private final double perSecond;
    private final double burst;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double perSecond, double burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = nanoClock;
    }

    private final class Bucket {
        private double tokens = burst;
        private long last = clock.getAsLong();

        synchronized long take() {
            long now = clock.getAsLong();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        }
    }

    /** Takes a token for {@code caller}: 0 if allowed, else seconds until one is there. */
    long acquire(String caller) {
        return buckets.computeIfAbsent(caller, c -> new Bucket()).take();
    }
}
