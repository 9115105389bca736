package dev.lakehouse.validator;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One broken rule: its name, {@code error} (the artifact must not be used) or
 * {@code warning} (worth a look), the JSON path inside the artifact, and a message
 * a person (or a model asked to correct itself) can act on.
 */
public record Violation(String rule, String severity, String path, String message) {
    public static Violation error(String rule, String path, String message) {
        return new Violation(rule, "error", path, message);
    }

    public static Violation warning(String rule, String path, String message) {
        return new Violation(rule, "warning", path, message);
    }

    @JsonIgnore
    public boolean isError() {
        return severity.equals("error");
    }
}
