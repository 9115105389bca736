package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
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

    /**
     * Times in the common UTC form are read by field positions, not by the formatter: held to the JDK's ISO parser (strict,
     * like ours) on 200,000 strings of that shape — valid and impossible dates, leap years, 24:00, leap seconds, every
     * fraction length — each the same instant, or refused by both; a stray character anywhere leaves the shape (then
     * the formatter decides, as the cases above show).
     */
    @Test
    void time_inTheCommonUtcForm_isWhatTheIsoParserReads() {
        Pattern shape = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z");
        Random r = new Random(8);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            b.append(pad(r.nextInt(10) == 0 ? r.nextInt(10_000) : 1990 + r.nextInt(60), 4)).append('-').append(pad(r.nextInt(14), 2))
                    .append('-').append(pad(r.nextInt(33), 2)).append('T').append(pad(r.nextInt(26), 2)).append(':')
                    .append(pad(r.nextInt(62), 2)).append(':').append(pad(r.nextInt(62), 2));
            int fraction = r.nextInt(12);
            if (fraction > 0) {
                b.append('.');
                for (int k = 1; k < fraction; k++) {
                    b.append((char) ('0' + r.nextInt(10)));
                }
            }
            b.append('Z');
            if (r.nextInt(8) == 0) {
                String stray = "0123456789-:T.Zz+ \u0660";
                b.setCharAt(r.nextInt(b.length()), stray.charAt(r.nextInt(stray.length())));
            }
            String value = b.toString();
            Instant iso;
            try {
                iso = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                iso = null;
            }
            if (!shape.matcher(value).matches()) {
                continue;
            }
            if (iso == null) {
                refused++;
                assertThatThrownBy(() -> FieldError.time(value, "ts")).as(value).isInstanceOf(FieldError.class);
            } else {
                accepted++;
                assertThat(FieldError.time(value, "ts")).as(value).isEqualTo(iso);
                assertThat(FieldError.time(iso.toString(), "ts")).as("Instant.toString() of " + value).isEqualTo(iso);
            }
        }
        assertThat(accepted).isGreaterThan(20_000);
        assertThat(refused).isGreaterThan(20_000);
    }

    private static String pad(int n, int width) {
        return String.format("%0" + width + "d", n);
    }
}
