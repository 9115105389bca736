package dev.lakehouse.validatord;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * E-mail validation is linear in the text, for every shape an attacker can repeat:
 * the work (characters the regex engine and scans read, counted by {@link CountingChars})
 * per character of a 100 KB body stays within a small factor of that of a 1 KB body of
 * the same shape. A quadratic rule reads ~100× more per character at 100 KB.
 */
class EmailLinearityTest {
    final EmailValidator validator = new EmailValidator(Fixtures.ROSTER);

    /** Counts every char read through it and through its subsequences. */
    static final class CountingChars implements CharSequence {
        final String text;
        final int from;
        final int to;
        final long[] reads;

        CountingChars(String text, int from, int to, long[] reads) {
            this.text = text;
            this.from = from;
            this.to = to;
            this.reads = reads;
        }

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            reads[0]++;
            return text.charAt(from + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new CountingChars(text, from + start, from + end, reads);
        }

        @Override
        public String toString() {
            reads[0] += length();
            return text.substring(from, to);
        }
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("letters", "a"),
                Arguments.of("digits", "1"),
                Arguments.of("spaces", " "),
                Arguments.of("thousands groups", "1,"),
                Arguments.of("full thousands groups", "111,"),
                Arguments.of("dollar thousands", "$111,111,"),
                Arguments.of("domains", " a@a.a.a.a.a.a.a.a.a.a.a.a.a."),
                Arguments.of("long labels", "a@" + "b".repeat(300) + "."),
                Arguments.of("money groups", "$1,000,"),
                Arguments.of("decimals", "1."),
                Arguments.of("at signs", "a@"),
                Arguments.of("dotted domains", "a@a."),
                Arguments.of("dots", "a."),
                Arguments.of("hourly rates", "$1 an hour 2/hr "),
                Arguments.of("pay words and figures", "pay 5 dollars "),
                Arguments.of("ssn-like", "ssn 123-45-6789 "),
                Arguments.of("phones", "(614) 555-0100 "),
                Arguments.of("dashes", "1-"),
                Arguments.of("worker ids", "W000001 W99999"),
                Arguments.of("greeting", "Hi "),
                Arguments.of("names", "Hi Maria-"),
                Arguments.of("newlines", "\n"),
                Arguments.of("mixed", "Hi a@b.co $1,0 ssn 1-2 "));
    }

    private long work(String text) {
        long[] reads = {0};
        validator.validate("W000001", new CountingChars("x", 0, 1, reads), new CountingChars(text, 0, text.length(), reads));
        return reads[0];
    }

    private static String repeat(String unit, int chars) {
        return unit.repeat(chars / unit.length() + 1).substring(0, chars);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void validate_isLinearInTheBody(String shape, String unit) {
        String small = repeat(unit, 1_000);
        String large = repeat(unit, Integer.getInteger("linearity.chars", 100_000));
        double perCharSmall = (double) work(small) / small.length();
        double perCharLarge = (double) work(large) / large.length();
        System.out.printf("linearity %-22s reads per char: %7.1f at 1 KB, %7.1f at %d chars%n", shape, perCharSmall, perCharLarge,
                large.length());
        assertThat(perCharLarge).as("%s: reads per char %.1f at 1 KB, %.1f at 100 KB", shape, perCharSmall, perCharLarge)
                .isLessThan(Math.max(perCharSmall, 1.0) * 3).isLessThan(200);
    }
}
