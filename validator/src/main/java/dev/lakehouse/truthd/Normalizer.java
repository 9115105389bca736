package dev.lakehouse.truthd;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a field's values compare (the policy's {@code type}): two claims agree when their
 * normalised values are equal. Linear in the value.
 * <ul>
 *   <li>{@code phone}: the digits only, a leading 1 dropped from 11 digits (NANP): {@code (614) 555-0101} = {@code 614.555.0101} = {@code +1 614 555 0101}</li>
 *   <li>{@code email}: trimmed, lower case</li>
 *   <li>{@code text} (default): trimmed, runs of whitespace one space, lower case</li>
 *   <li>{@code exact}: the JSON value as it is (numbers, objects, lists)</li>
 * </ul>
 * A value that is not a string is compared as its JSON text under every type.
 */
public enum Normalizer {
    PHONE, EMAIL, TEXT, EXACT;

    @JsonValue
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String normalize(JsonNode value) {
        if (!value.isTextual() || this == EXACT) {
            return value.toString();
        }
        String s = value.asText();
        return switch (this) {
            case PHONE -> {
                StringBuilder digits = new StringBuilder(s.length());
                s.chars().filter(c -> c >= '0' && c <= '9').forEach(c -> digits.append((char) c));
                yield digits.length() == 11 && digits.charAt(0) == '1' ? digits.substring(1) : digits.toString();
            }
            case EMAIL -> s.strip().toLowerCase(Locale.ROOT);
            case TEXT -> s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
            case EXACT -> s;
        };
    }
}
