package dev.lakehouse.common;

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
    private final ConcurrentHashMap<String, Meter> meters = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry, for the meters this does not build (gauges, binders). */
    public MeterRegistry registry() {
        return registry;
    }

    public Counter counter(String name, String description, String... tags) {
        return (Counter) meters.computeIfAbsent(key(name, tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** A timer; {@code options} (buckets, histograms) is applied once, when the timer is built. */
    public Timer timer(String name, String description, UnaryOperator<Timer.Builder> options, String... tags) {
        return (Timer) meters.computeIfAbsent(key(name, tags),
                k -> options.apply(Timer.builder(name).description(description).tags(tags)).register(registry));
    }

    private static String key(String name, String[] tags) {
        StringBuilder key = new StringBuilder(name);
        for (String tag : tags) {
            key.append('\0').append(tag);
        }
        return key.toString();
    }
}
