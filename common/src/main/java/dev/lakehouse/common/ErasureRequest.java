package dev.lakehouse.common;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The body of every daemon's erasure route ({@code POST /v1/journal/erasures}, {@code /v1/memory/erasures}, …):
 * {@code {"erasure_id":"er-17","identifiers":["W000123","614-555-0101","ana@example.com"]}} — what the daemon holds
 * about the person is removed (docs/privacy.md, "Erasure"). An identifier too vague to name one person (a three-digit
 * number, a single word) is a 400 naming its index, never its value.
 */
public record ErasureRequest(String erasureId, List<String> identifiers) {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final int MAX_IDENTIFIERS = 64;

    public ErasureRequest {
        FieldError.required(erasureId, "erasure_id");
        FieldError.check(ID.matcher(erasureId).matches(), "erasure_id", "must be 1-128 of A-Z a-z 0-9 . _ : -");
        FieldError.required(identifiers, "identifiers");
        FieldError.check(!identifiers.isEmpty() && identifiers.size() <= MAX_IDENTIFIERS, "identifiers", "must hold 1 to "
                + MAX_IDENTIFIERS + " identifiers, got " + identifiers.size());
        subject(identifiers);
        identifiers = List.copyOf(identifiers);
    }

    public SubjectIdentifiers subject() {
        return subject(identifiers);
    }

    private static SubjectIdentifiers subject(List<String> identifiers) {
        try {
            return SubjectIdentifiers.of(identifiers);
        } catch (SubjectIdentifiers.NotSpecific e) {
            throw new FieldError(e.index() < 0 ? "identifiers" : "identifiers[" + e.index() + "]", "invalid_field", e.getMessage());
        }
    }
}
