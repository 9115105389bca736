package dev.lakehouse.common;

/**
 * Thrown from a wire record's compact constructor when a field is missing or
 * invalid. {@link Json} turns it into a 400 whose detail names the full JSON path,
 * e.g. {@code points[3].id: is required}.
 */
public final class FieldError extends IllegalArgumentException {
    private final String field;
    private final String code;

    public FieldError(String field, String code, String message) {
        super(message);
        this.field = field;
        this.code = code;
    }

    /** The field, relative to the object being built (e.g. {@code id}, {@code vector[3]}). */
    public String field() {
        return field;
    }

    /** {@code missing_field} or {@code invalid_field}. */
    public String code() {
        return code;
    }

    /** The value itself; throws {@code missing_field} when it is null. */
    public static <T> T required(T value, String field) {
        if (value == null) {
            throw new FieldError(field, "missing_field", "is required");
        }
        return value;
    }

    /** Throws {@code invalid_field} with the message unless the condition holds. */
    public static void check(boolean condition, String field, String message) {
        if (!condition) {
            throw new FieldError(field, "invalid_field", message);
        }
    }

    private static final java.time.format.DateTimeFormatter RFC_3339 = new java.time.format.DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendValue(java.time.temporal.ChronoField.YEAR, 4).appendLiteral('-')
            .appendValue(java.time.temporal.ChronoField.MONTH_OF_YEAR, 2).appendLiteral('-')
            .appendValue(java.time.temporal.ChronoField.DAY_OF_MONTH, 2).appendLiteral('T')
            .appendValue(java.time.temporal.ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(java.time.temporal.ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(java.time.temporal.ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter(java.util.Locale.ROOT).withResolverStyle(java.time.format.ResolverStyle.STRICT)
            .withChronology(java.time.chrono.IsoChronology.INSTANCE);

    /**
     * An RFC 3339 date-time ({@code 2026-11-22T21:00:00Z}, {@code 2026-11-22T23:00:00.5+02:00}): four-digit year,
     * seconds required, fraction optional, an offset required; null stays null. Anything else is {@code invalid_time}
     * naming the field and an example. Linear in the value's length (at most 64 characters are looked at).
     */
    public static java.time.Instant time(String value, String field) {
        if (value == null) {
            return null;
        }
        java.time.Instant utc = utc(value);
        if (utc != null) {
            return utc;
        }
        String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        try {
            if (value.length() <= 64) {
                return java.time.OffsetDateTime.parse(value, RFC_3339).toInstant();
            }
        } catch (java.time.format.DateTimeParseException e) {
            // reported below
        }
        throw new FieldError(field, "invalid_time", "must be an RFC 3339 time such as 2026-11-22T21:00:00Z, got '"
                + shown.replaceAll("\\p{Cntrl}", "?") + "'");
    }

    private static final int[] TENTHS = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    /**
     * The form nearly every time comes in — {@code 2026-11-22T21:00:00Z} with 1–9 digits of fraction or none, UTC, upper
     * case, and {@code Instant.toString()}'s own — read by field positions rather than by the formatter (every
     * observation distilld reads has one, some twice); null when the value is not in that form or not a valid time, and the
     * formatter then decides. The same instant as the formatter's for every value it answers (FieldErrorTest holds it to
     * the JDK's ISO parser).
     */
    private static java.time.Instant utc(String v) {
        int n = v.length();
        if (n < 20 || n > 30 || n == 21 || v.charAt(n - 1) != 'Z' || v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != 'T'
                || v.charAt(13) != ':' || v.charAt(16) != ':' || n > 20 && v.charAt(19) != '.') {
            return null;
        }
        int year = digits(v, 0, 4);
        int month = digits(v, 5, 2);
        int day = digits(v, 8, 2);
        int hour = digits(v, 11, 2);
        int minute = digits(v, 14, 2);
        int second = digits(v, 17, 2);
        int fraction = n == 20 ? 0 : digits(v, 20, n - 21);
        if ((year | month | day | hour | minute | second | fraction) < 0) {
            return null;
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second, n == 20 ? 0 : fraction * TENTHS[n - 22])
                    .toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.DateTimeException invalid) {
            return null;   // 30 February, 24:00, a leap second: the formatter says what is wrong
        }
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(String v, int from, int count) {
        int x = 0;
        for (int i = from; i < from + count; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            x = x * 10 + (c - '0');
        }
        return x;
    }

    /**
     * A text a model can embed: not empty, no unpaired surrogate (not text at all), and at
     * least one letter, digit, punctuation mark or symbol — whitespace, control and format
     * characters or lone combining marks tokenize to nothing, and a model cannot embed nothing.
     * One pass over the text.
     */
    public static void embeddable(String text, String field) {
        FieldError.check(!text.isEmpty(), field, "is empty");
        boolean content = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                content |= hasContent(text.codePointAt(i));
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new FieldError(field, "invalid_field", "has an unpaired surrogate (\\u"
                        + Integer.toHexString(c) + ") at character " + i + ": not text");
            } else {
                content |= hasContent(c);
            }
        }
        FieldError.check(content, field, "has nothing to embed: only whitespace, control or format characters");
    }

    private static boolean hasContent(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
