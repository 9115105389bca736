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
}
