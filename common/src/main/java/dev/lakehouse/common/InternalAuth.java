package dev.lakehouse.common;

import java.util.Optional;
import java.util.Set;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Requires the stack's {@link InternalToken} on every request but {@code GET /health}, {@code /ready} and
 * {@code /metrics} (the probes and the scraper carry no secret): a missing one is 401 {@code internal_token_required},
 * a wrong one 401 {@code internal_token_invalid}, as problem+json that never echoes what was sent. Installed by
 * {@link DaemonServer} in every daemon but the gateway when {@code LAKEHOUSE_INTERNAL_TOKEN_FILE} is set; runs inside the
 * kit's filter, so a refusal is logged and counted like any answer.
 */
record InternalAuth(InternalToken token, ErrorMapper errors) implements Filter {
    static final HeaderName HEADER = HeaderNames.create(InternalToken.HEADER);
    /** The paths open without the token: exactly these, nothing below or beside them. */
    static final Set<String> OPEN = Set.of("/health", "/ready", "/metrics");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (OPEN.contains(req.prologue().uriPath().rawPath())) {
            chain.proceed();
            return;
        }
        Optional<String> presented = req.headers().first(HEADER);
        if (presented.isPresent() && token.matches(presented.get())) {
            chain.proceed();
            return;
        }
        errors.handle(req, res, new ApiException.BadRequest(401, presented.isEmpty() ? "internal_token_required" : "internal_token_invalid",
                presented.isEmpty()
                        ? "this daemon answers only its stack's daemons: send the internal token in " + InternalToken.HEADER
                        + " (the file LAKEHOUSE_INTERNAL_TOKEN_FILE names), or call through the gateway"
                        : "the " + InternalToken.HEADER + " header is not this stack's internal token",
                java.util.Map.of()));
    }
}
