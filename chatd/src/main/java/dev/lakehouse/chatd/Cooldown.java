package dev.lakehouse.chatd;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * One provider's health: {@code failures} transient failures within {@code window}
 * make it cool down for {@code coolFor}, during which the dispatcher skips it.
 * A success forgets earlier failures. Thread-safe.
 */
final class Cooldown {
    private final int failures;
    private final Duration window;
    private final Duration coolFor;
    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();
    private Instant coolingUntil = Instant.MIN;

    Cooldown(int failures, Duration window, Duration coolFor, Clock clock) {
        this.failures = failures;
        this.window = window;
        this.coolFor = coolFor;
        this.clock = clock;
    }

    /** Until when the provider is cooling down, if it is. */
    synchronized Optional<Instant> coolingUntil() {
        return clock.instant().isBefore(coolingUntil) ? Optional.of(coolingUntil) : Optional.empty();
    }

    /** Records a transient failure; returns true if this one started a cooldown. */
    synchronized boolean failure() {
        Instant now = clock.instant();
        recent.addLast(now);
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(window))) {
            recent.removeFirst();
        }
        if (recent.size() >= failures) {
            recent.clear();
            coolingUntil = now.plus(coolFor);
            return true;
        }
        return false;
    }

    synchronized void success() {
        recent.clear();
    }
}
