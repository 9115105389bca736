package dev.lakehouse.common;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
 *
 * <p>Tag values often come from callers (a model name), so they are bounded here,
 * for every meter: a value is cut to {@value #MAX_TAG_CHARS} characters (a hash of
 * the rest keeps long values apart) with control characters replaced, and each
 * meter name and tag key keeps at most {@value #MAX_VALUES_PER_TAG} distinct values,
 * later ones counted as {@code other}. Without that, one caller sending 70,000-character
 * or ever-new model names grew chatd's {@code /metrics} until the heap ran out (found
 * by the fuzz suite). The fast path looks the caller's tags up as given; only a miss
 * bounds them.
 */
public final class Meters {
    /** The longest tag value kept, in characters. */
    static final int MAX_TAG_CHARS = 64;
    /** Distinct values per meter name and tag key; more are {@code other}. */
    static final int MAX_VALUES_PER_TAG = 200;
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Meter> meters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> values = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry, for the meters this does not build (gauges, binders). */
    public MeterRegistry registry() {
        return registry;
    }

    public Counter counter(String name, String description, String... tags) {
        Meter m = meters.get(new Key(name, tags));
        return (Counter) (m != null ? m : create(name, tags,
                bounded -> Counter.builder(name).description(description).tags(bounded).register(registry)));
    }

    /** A timer; {@code options} (buckets, histograms) is applied once, when the timer is built. */
    public Timer timer(String name, String description, UnaryOperator<Timer.Builder> options, String... tags) {
        Meter m = meters.get(new Key(name, tags));
        return (Timer) (m != null ? m : create(name, tags,
                bounded -> options.apply(Timer.builder(name).description(description).tags(bounded)).register(registry)));
    }

    private Meter create(String name, String[] tags, Function<String[], Meter> build) {
        String[] bounded = bound(name, tags);
        return meters.computeIfAbsent(new Key(name, bounded), k -> build.apply(bounded));
    }

    /** The tags with every value clipped and, past the cap of distinct values, {@code other}. */
    String[] bound(String name, String[] tags) {
        String[] out = tags.clone();
        for (int i = 1; i < out.length; i += 2) {
            String value = clip(out[i]);
            Set<String> seen = values.computeIfAbsent(name + '\u0000' + out[i - 1], k -> ConcurrentHashMap.newKeySet());
            if (!seen.contains(value)) {
                if (seen.size() >= MAX_VALUES_PER_TAG) {
                    value = OTHER;
                } else {
                    seen.add(value);
                }
            }
            out[i] = value;
        }
        return out;
    }

    /** At most {@value #MAX_TAG_CHARS} characters, no control characters or lone surrogates; {@code none} for nothing. */
    static String clip(String value) {
        if (value == null || value.isEmpty()) {
            return "none";
        }
        boolean longer = value.length() > MAX_TAG_CHARS;
        int end = longer ? MAX_TAG_CHARS - 9 : value.length();
        if (longer && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;   // never cut a pair in two
        }
        StringBuilder sb = new StringBuilder(end + 9);
        value.substring(0, end).codePoints().forEach(cp -> sb.appendCodePoint(
                Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE ? '?' : cp));
        if (longer) {
            sb.append('~').append(String.format("%08x", value.hashCode()));
        }
        return sb.toString();
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
