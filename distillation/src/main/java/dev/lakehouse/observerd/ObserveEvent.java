package dev.lakehouse.observerd;

import java.time.Instant;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.common.FieldError;

/**
 * One observation as posted and as stored (one JSON line), e.g.
 * {@code {"event_id":"3f0c…","ts":"2026-11-22T21:00:00.123Z","kind":"chat.call","daemon":"chatd",
 * "request_id":"9f2c…","payload":{"provider":"ollama"}}}. {@code ts} may carry any
 * offset; it is stored in UTC. A missing {@code payload} is an empty object. {@code "shadow": true} marks an event of a
 * cutover shadow copy.
 */
public record ObserveEvent(String eventId, String ts, String kind, String daemon, String requestId, JsonNode payload,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                           Boolean shadow) {
    static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    public ObserveEvent {
        FieldError.required(eventId, "event_id");
        FieldError.check(ID.matcher(eventId).matches(), "event_id", "must be 1-128 letters, digits, '-', '_', '.' or ':'");
        FieldError.required(kind, "kind");
        FieldError.check(KIND.matcher(kind).matches(), "kind", "must match [a-z0-9][a-z0-9_.-]{0,63}, got '" + kind + "'");
        FieldError.required(ts, "ts");
        ts = FieldError.time(ts, "ts").toString();
        FieldError.check(daemon == null || daemon.length() <= 64, "daemon", "must be at most 64 characters");
        FieldError.check(requestId == null || requestId.length() <= 128, "request_id", "must be at most 128 characters");
        if (payload == null || payload.isNull()) {
            payload = JsonNodeFactory.instance.objectNode();
        }
        FieldError.check(payload.isObject(), "payload", "must be a JSON object, got " + payload.getNodeType().name().toLowerCase());
        shadow = Boolean.TRUE.equals(shadow) ? Boolean.TRUE : null;
    }

    public ObserveEvent(String eventId, String ts, String kind, String daemon, String requestId, JsonNode payload) {
        this(eventId, ts, kind, daemon, requestId, payload, null);
    }

    private static final java.util.Set<String> FIELDS = java.util.Set.of("event_id", "ts", "kind", "daemon", "request_id", "payload",
            "shadow");

    /**
     * The event a stored line's tree holds, built from the tree's own nodes — the payload is the tree's, not a copy — when
     * the tree has the plain shape: no member but the event's, each text member a string or null, {@code shadow} a boolean
     * or null, and valid. Otherwise null: {@code Json.convert} then gives the event or the error in the platform's words
     * (what this answers, it answers equal to {@code Json.convert}'s event; ObserveEventTest holds it to that).
     */
    public static ObserveEvent fromTree(com.fasterxml.jackson.databind.node.ObjectNode tree) {
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> m = it.next();
            JsonNode v = m.getValue();
            boolean plain = switch (m.getKey()) {
                case "payload" -> true;
                case "shadow" -> v.isBoolean() || v.isNull();
                default -> FIELDS.contains(m.getKey()) && (v.isTextual() || v.isNull());
            };
            if (!plain) {
                return null;
            }
        }
        JsonNode shadow = tree.get("shadow");
        try {
            return new ObserveEvent(text(tree, "event_id"), text(tree, "ts"), text(tree, "kind"), text(tree, "daemon"),
                    text(tree, "request_id"), tree.get("payload"), shadow == null || shadow.isNull() ? null : shadow.booleanValue());
        } catch (FieldError invalid) {
            return null;
        }
    }

    private static String text(JsonNode tree, String name) {
        JsonNode v = tree.get(name);
        return v == null || v.isNull() ? null : v.textValue();
    }

    /** A gateway's shadow copy made it (docs/cutover.md): kept, never evidence. */
    public boolean fromShadow() {
        return shadow != null;
    }

    public Instant instant() {
        return FieldError.time(ts, "ts");   // ts is Instant.toString()'s: read by positions, not a formatter
    }

    /** The UTC day the event belongs to: its file. */
    String day() {
        return ts.substring(0, 10);
    }
}
