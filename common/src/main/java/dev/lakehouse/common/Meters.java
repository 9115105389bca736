package dev.lakehouse.common;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Counters and timers looked up by name and tags, each built and registered once
 * per tag set and then reused: Micrometer's builder-and-register costs more than
 * a fast request does (found by the gateway and chatd benchmarks, docs/perf.md).
 * Tags are name/value pairs, as in {@code counter("x.y", "…", "provider", p, "kind", k)}.
 */
public final class Meters {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Meter> meters = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry, for the meters this does not build (gauges, binders). */
    public MeterRegistry registry() {
        return registry;
    }

    public Counter counter(String name, String description, String... tags) {
        Meter m = meters.get(new Key(name, tags));
        return (Counter) (m != null ? m : meters.computeIfAbsent(new Key(name, tags.clone()),
                k -> Counter.builder(name).description(description).tags(tags).register(registry)));
    }

    /** A timer; {@code options} (buckets, histograms) is applied once, when the timer is built. */
    public Timer timer(String name, String description, UnaryOperator<Timer.Builder> options, String... tags) {
        Meter m = meters.get(new Key(name, tags));
        return (Timer) (m != null ? m : meters.computeIfAbsent(new Key(name, tags.clone()),
                k -> options.apply(Timer.builder(name).description(description).tags(tags)).register(registry)));
    }

    /** Name and tags; looked up with the caller's array, stored with a copy of it. No string is built per call. */
    private record Key(String name, String[] tags) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && name.equals(k.name) && Arrays.equals(tags, k.tags);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + Arrays.hashCode(tags);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(tags);
        }
    }
}
