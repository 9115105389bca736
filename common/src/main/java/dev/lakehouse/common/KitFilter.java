package dev.lakehouse.common;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Runs around every routed request: takes or makes the {@code X-Request-Id},
 * echoes it, notes a shadow copy ({@code X-Lakehouse-Shadow: 1}) and who the request is for (the caller and route the
 * gateway names; a daemon reached without the internal token trusts them as it trusts everything else), and after the handler records the route timer and writes the
 * access-log line. Errors were already turned into responses inside
 * {@code chain.proceed()} by the routing's error handler, so the status seen
 * here is the one sent.
 */
final class KitFilter implements Filter {
    static final HeaderName REQUEST_ID = HeaderNames.create(RequestContext.HEADER);
    static final HeaderName SHADOW = HeaderNames.create(RequestContext.SHADOW_HEADER);
    static final HeaderName CALLER = HeaderNames.create(RequestContext.CALLER_HEADER);
    static final HeaderName ROUTE = HeaderNames.create(RequestContext.ROUTE_HEADER);

    private final HttpMetrics metrics;

    KitFilter(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String id = RequestContext.acceptOrGenerate(req.headers().first(REQUEST_ID).orElse(null));
        RequestContext.set(id, req.headers().first(SHADOW).map("1"::equals).orElse(false));
        RequestContext.origin(req.headers().first(CALLER).orElse(null), req.headers().first(ROUTE).orElse(null));
        res.header(REQUEST_ID, id);
        try {
            chain.proceed();
        } finally {
            long nanos = System.nanoTime() - start;
            int status = res.status().code();
            String method = req.prologue().method().text();
            metrics.record(method, req.matchingPattern().orElse("unmatched"), status, nanos);
            Logs.access(method, req.prologue().uriPath().rawPath(), status, nanos / 1e6);
            RequestContext.clear();
        }
    }
}
