package dev.lakehouse.common;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A per-peer circuit breaker. CLOSED: calls go through; {@code failureThreshold}
 * consecutive failures open it. OPEN: calls fail at once, for {@code openFor}.
 * Then HALF_OPEN: exactly one probe call goes through; its success closes the
 * breaker, its failure opens it again for another {@code openFor}.
 *
 * <p>All state is guarded by {@code this}; no I/O happens under the lock. The
 * clock (nanoseconds) is injectable so tests need no sleeping.
 */
public final class CircuitBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final long openForNanos;
    private final LongSupplier clock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openUntil;
    private boolean probeInFlight;

    public CircuitBreaker(int failureThreshold, Duration openFor, LongSupplier nanoClock) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be >= 1");
        }
        this.failureThreshold = failureThreshold;
        this.openForNanos = openFor.toNanos();
        this.clock = nanoClock;
    }

    public CircuitBreaker(int failureThreshold, Duration openFor) {
        this(failureThreshold, openFor, System::nanoTime);
    }

    /** Whether a call may go out now; a true answer in HALF_OPEN makes that call the probe. */
    public synchronized boolean tryAcquire() {
        switch (state) {
            case CLOSED -> {
                return true;
            }
            case OPEN -> {
                if (clock.getAsLong() - openUntil < 0) {
                    return false;
                }
                state = State.HALF_OPEN;
                probeInFlight = true;
                return true;
            }
            case HALF_OPEN -> {
                if (probeInFlight) {
                    return false;
                }
                probeInFlight = true;
                return true;
            }
        }
        throw new AssertionError(state);
    }

    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        probeInFlight = false;
    }

    public synchronized void onFailure() {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openUntil = clock.getAsLong() + openForNanos;
            probeInFlight = false;
        }
    }

    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openUntil >= 0) {
            return State.HALF_OPEN;
        }
        return state;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** How long until an open breaker lets a probe through (zero when it would now). */
    public synchronized Duration retryIn() {
        if (state != State.OPEN) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, openUntil - clock.getAsLong()));
    }

    /**
     * What a caller gets while this breaker is open: 503 {@code circuit_open} naming
     * the peer, with the failures and the wait, and {@code Retry-After} in seconds.
     */
    public ApiException.Unavailable refusal(String peer, String where) {
        Duration wait = retryIn();
        return new ApiException.Unavailable(peer, "circuit_open", where + " is failing (" + consecutiveFailures()
                + " consecutive failures); not calling it for another " + wait.toMillis() + " ms",
                java.util.Map.of("Retry-After", Backoff.retryAfter(wait)), null);
    }
}
