package dev.lakehouse.pathwayd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class MemoryTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void at_isTheLastVersionRecordedByThen_andSupersededAtIsTheNextOnesRecordedAt() {
        Version v1 = new Version("m", 1, Version.Change.CREATED, "fact", "one", null, null, null, null, null, T0, null, T0, null, null, null);
        Memory m = Memory.first(v1);
        for (int n = 1; n < 5; n++) {
            m = m.with(m.latest().next(Version.Change.UPDATED, T0.plusSeconds(10L * n)));
        }
        assertThat(m.at(T0.minusNanos(1))).isNull();
        assertThat(m.at(T0).version()).isEqualTo(1);
        assertThat(m.at(T0.plusSeconds(9)).version()).isEqualTo(1);
        assertThat(m.at(T0.plusSeconds(10)).version()).isEqualTo(2);
        assertThat(m.at(T0.plusSeconds(1_000)).version()).isEqualTo(5);
        assertThat(m.supersededAt(1)).isEqualTo(T0.plusSeconds(10));
        assertThat(m.supersededAt(5)).isNull();
    }

    @Test
    void validAt_isHalfOpen() {
        Version v = new Version("m", 1, Version.Change.CREATED, "fact", "x", null, null, null, null, null, T0,
                T0.plusSeconds(60), T0, null, null, null);
        assertThat(v.validAt(T0.minusNanos(1))).isFalse();
        assertThat(v.validAt(T0)).isTrue();
        assertThat(v.validAt(T0.plusSeconds(59))).isTrue();
        assertThat(v.validAt(T0.plusSeconds(60))).isFalse();
    }
}
