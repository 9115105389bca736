package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Meters meters = new Meters(registry);

    @Test
    void aCounterIsBuiltOncePerTagSet_andCountsInTheRegistry() {
        meters.counter("x.calls", "calls", "kind", "a").increment();
        meters.counter("x.calls", "calls", "kind", "a").increment(2);
        meters.counter("x.calls", "calls", "kind", "b").increment();
        assertThat(meters.counter("x.calls", "calls", "kind", "a")).isSameAs(meters.counter("x.calls", "calls", "kind", "a"));
        assertThat(registry.get("x.calls").tag("kind", "a").counter().count()).isEqualTo(3);
        assertThat(registry.get("x.calls").tag("kind", "b").counter().count()).isEqualTo(1);
    }

    @Test
    void tagsAreNotConfusedWhenTheirConcatenationsMatch() {
        meters.counter("x.pairs", "pairs", "k", "ab", "l", "c").increment();
        meters.counter("x.pairs", "pairs", "k", "a", "l", "bc").increment();
        assertThat(registry.get("x.pairs").counters()).hasSize(2);
    }

    @Test
    void timerOptions_areAppliedOnce_whenTheTimerIsBuilt() {
        AtomicInteger built = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            meters.timer("x.latency", "latency", b -> {
                built.incrementAndGet();
                return b.publishPercentileHistogram();
            }, "route", "/v1/x").record(java.time.Duration.ofMillis(1));
        }
        assertThat(built.get()).isEqualTo(1);
        Timer timer = registry.get("x.latency").tag("route", "/v1/x").timer();
        assertThat(timer.count()).isEqualTo(3);
    }

    @Test
    void callerTagValues_areClipped_andTheirNumberCapped_soMetricsStayBounded() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Meters meters = new Meters(registry);
        String huge = "m".repeat(70_000);
        meters.counter("x.calls", "d", "model", huge).increment();
        meters.counter("x.calls", "d", "model", huge).increment();
        String tag = registry.get("x.calls").counters().iterator().next().getId().getTag("model");
        assertThat(tag).hasSizeLessThanOrEqualTo(Meters.MAX_TAG_CHARS).startsWith("mmmm");
        assertThat(registry.get("x.calls").counter().count()).isEqualTo(2.0);
        assertThat(Meters.clip("a\u0000b\ud800")).isEqualTo("a?b?");
        assertThat(Meters.clip("")).isEqualTo("none");
        assertThat(Meters.clip("m".repeat(100))).isNotEqualTo(Meters.clip("m".repeat(101)));

        for (int i = 0; i < Meters.MAX_VALUES_PER_TAG + 500; i++) {
            meters.counter("y.calls", "d", "model", "model-" + i).increment();
        }
        assertThat(registry.get("y.calls").counters()).hasSize(Meters.MAX_VALUES_PER_TAG + 1);
        assertThat(registry.get("y.calls").tag("model", Meters.OTHER).counter().count()).isEqualTo(500.0);
        assertThat(registry.get("y.calls").tag("model", "model-3").counter().count()).isEqualTo(1.0);
    }
}
