package dev.lakehouse.gateway;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of bodies the gateway holds whole at once, across every request: a body of
 * at most {@value Upstream#BUFFERED} bytes is read into memory and sent in one write only
 * when the budget still has room for it; past that it streams, as a longer body always
 * does, and a shadowed request is not copied. So a flood of large concurrent bodies costs
 * throughput, never the heap ({@code GATEWAY_BUFFER_BUDGET_MIB}, default 32 — the gateway
 * runs in a 128 MiB heap; docs/gateway.md).
 */
final class BufferBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();

    BufferBudget(long capacity) {
        this.capacity = capacity;
    }

    /** Takes {@code bytes} if they fit; false, and nothing taken, when they do not. */
    boolean tryTake(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > capacity) {
                refused.increment();
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    /** How many bodies streamed (or shadows were not copied) for want of room. */
    long refused() {
        return refused.sum();
    }

    /** What one request took, given back when it ends. */
    static final class Held {
        private final BufferBudget budget;
        private long bytes;

        Held(BufferBudget budget) {
            this.budget = budget;
        }

        boolean take(long n) {
            if (budget.tryTake(n)) {
                bytes += n;
                return true;
            }
            return false;
        }

        void giveBack() {
            budget.give(bytes);
            bytes = 0;
        }
    }
}
