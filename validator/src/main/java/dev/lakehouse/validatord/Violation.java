package dev.lakehouse.validatord;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One broken rule: its name, {@code error} (the artifact must not be used) or
 * {@code warning} (worth a look), the JSON path inside the artifact, and a message
 * a person (or a model asked to correct itself) can act on; for a rule about a
 * piece of text, the {@code span} of that text inside the field at {@code path}
 * (UTF-16 offsets, as JavaScript counts them: the console highlights it).
 */
public record Violation(String rule, String severity, String path, String message, Span span) {
    /** {@code [start, end)} in the field's text. */
    public record Span(int start, int end) {
    }

    public static Violation error(String rule, String path, String message) {
        return new Violation(rule, "error", path, message, null);
    }

    public static Violation warning(String rule, String path, String message) {
        return new Violation(rule, "warning", path, message, null);
    }

    /** This violation, about the text from {@code start} to {@code end} of its field. */
    public Violation at(int start, int end) {
        return new Violation(rule, severity, path, message, new Span(start, end));
    }

    @JsonIgnore
    public boolean isError() {
        return severity.equals("error");
    }
}
