package dev.lakehouse.journald;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.common.FieldError;

/**
 * {@code POST /v1/journal/entries} body, e.g.
 * {@code {"type":"cutover.switch","actor":"ops:alice","subject":"route:/v1/chat","data":{"to":"java"},"request_id":"…"}}.
 * {@code type} and {@code actor} are required; {@code data}, when present, is an object.
 */
public record EntryRequest(String type, String actor, String subject, JsonNode data, String requestId) {
    static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    public EntryRequest {
        FieldError.required(type, "type");
        FieldError.check(TYPE.matcher(type).matches(), "type", "must match [a-z0-9][a-z0-9_.-]{0,63}, got '" + type + "'");
        FieldError.required(actor, "actor");
        FieldError.check(!actor.isBlank() && actor.length() <= 256, "actor", "must be 1-256 characters");
        FieldError.check(subject == null || subject.length() <= 512, "subject", "must be at most 512 characters");
        FieldError.check(requestId == null || requestId.length() <= 128, "request_id", "must be at most 128 characters");
        if (data == null || data.isNull()) {
            data = JsonNodeFactory.instance.objectNode();
        }
        FieldError.check(data.isObject(), "data", "must be a JSON object");
    }
}
