package dev.lakehouse.observerd;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Map;

import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * observerd's API, under {@code /v1/observe}:
 * <pre>
 * POST /events   {"events":[{"event_id","ts","kind","daemon","request_id","payload"}…]} → 202 {"accepted":n,"duplicates":m}
 * GET  /events?kind=&since=&until=&limit=   matching events as JSON lines, in time order
 * GET  /stats    events per kind per day, bytes
 * </pre>
 * {@code curl -s 'localhost:4223/v1/observe/events?kind=chat.call&limit=5'}
 */
public record ObserverdRoutes(EventStore store) implements HttpService {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/events", this::post);
        rules.get("/events", this::get);
        Routes.allow(rules, "/events", Method.GET, Method.POST);
        Routes.only(rules, Method.GET, "/stats", (req, res) -> Json.send(res, 200, store.stats()));
    }

    private void post(ServerRequest req, ServerResponse res) {
        PostEventsRequest body = Json.read(req, PostEventsRequest.class);
        EventStore.Appended result = store.append(body.events());
        Json.send(res, 202, Map.of("accepted", result.accepted(), "duplicates", result.duplicates()));
    }

    private void get(ServerRequest req, ServerResponse res) throws IOException {
        var query = req.query();
        String kind = query.first("kind").orElse(null);
        if (kind != null) {
            FieldError.check(ObserveEvent.KIND.matcher(kind).matches(), "kind", "must match [a-z0-9][a-z0-9_.-]{0,63}");
        }
        Instant since = query.first("since").map(v -> FieldError.time(v, "since")).orElse(null);
        Instant until = query.first("until").map(v -> FieldError.time(v, "until")).orElse(null);
        if (since != null && until != null && since.isAfter(until)) {
            throw new FieldError("since", "invalid_range", since + " is after until (" + until + ")");
        }
        int limit = (int) Routes.longParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        EventStore.Query q = new EventStore.Query(kind, since, until, limit);
        res.header(HeaderNames.CONTENT_TYPE, "application/x-ndjson");
        try (OutputStream out = res.outputStream()) {
            store.read(q, out);
        }
    }
}
