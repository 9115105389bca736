package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void jittered_doublesPerRetry_withinTheUpperHalf_andStopsDoubling() {
        for (int i = 0; i < 200; i++) {
            assertThat(Backoff.jittered(Duration.ofMillis(100), 1).toMillis()).isBetween(50L, 100L);
            assertThat(Backoff.jittered(Duration.ofMillis(100), 3).toMillis()).isBetween(200L, 400L);
            assertThat(Backoff.jittered(Duration.ofMillis(1), 40).toMillis()).isBetween(512L, 1024L);
        }
    }

    @Test
    void retryAfter_isWholeSecondsRoundedUp_atLeastOne() {
        assertThat(Backoff.retryAfter(Duration.ZERO)).isEqualTo("1");
        assertThat(Backoff.retryAfter(Duration.ofMillis(-5))).isEqualTo("1");
        assertThat(Backoff.retryAfter(Duration.ofMillis(1001))).isEqualTo("2");
        assertThat(Backoff.retryAfter(Duration.ofSeconds(30))).isEqualTo("30");
    }
}
