package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldErrorTest {
    @ParameterizedTest
    @ValueSource(strings = {"2026-11-22T21:00:00Z", "2026-11-22T23:00:00+02:00", "2026-11-22t21:00:00z",
            "2026-11-22T21:00:00.000000001Z", "2026-11-22T16:00:00-05:00"})
    void time_takesRfc3339(String value) {
        assertThat(FieldError.time(value, "as_of")).isBetween(Instant.parse("2026-11-22T21:00:00Z"),
                Instant.parse("2026-11-22T21:00:00.000000001Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2026-11-22", "2026-11-22T21:00Z", "2026-11-22 21:00:00Z", "2026-11-22T21:00:00",
            "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "+12026-11-22T21:00:00Z", "26-11-22T21:00:00Z",
            "2026-11-22T21:00:00+0200", "2026-11-22T21:00:00.Z", "1764000000", "2026-11-22T21:00:00Z\n"})
    void time_refusesWhatIsNot(String value) {
        assertThatThrownBy(() -> FieldError.time(value, "as_of")).isInstanceOf(FieldError.class)
                .hasMessageContaining("RFC 3339").extracting("code").isEqualTo("invalid_time");
    }
}
