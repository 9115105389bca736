package dev.lakehouse.observerd;

import java.util.List;

import dev.lakehouse.common.FieldError;

/** {@code POST /v1/observe/events} body: {@code {"events":[…]}}, 1 to {@value #MAX_EVENTS} events. */
public record PostEventsRequest(List<ObserveEvent> events) {
    public static final int MAX_EVENTS = 1000;

    public PostEventsRequest {
        FieldError.required(events, "events");
        FieldError.check(!events.isEmpty(), "events", "must not be empty");
        if (events.size() > MAX_EVENTS) {
            throw new FieldError("events", "batch_too_large", "at most " + MAX_EVENTS + " events per batch, got " + events.size());
        }
        for (int i = 0; i < events.size(); i++) {
            FieldError.check(events.get(i) != null, "events[" + i + "]", "must be an object, got null");
        }
        events = List.copyOf(events);
    }
}
