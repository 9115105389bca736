package dev.lakehouse.gateway;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Everything under {@code /v1}: the path is checked and routed (RouteTable), the
 * caller admitted (key, scope, rate), then the gateway answers itself
 * ({@code GET /v1/models}, {@code GET /v1/status}) or forwards to the daemon.
 * <pre>
 * curl -s localhost:4200/v1/status
 * curl -s localhost:4200/v1/embed -H 'Authorization: Bearer …' -H 'Content-Type: application/json' -d '{"input":"x"}'
 * </pre>
 */
final class GatewayRoutes implements HttpService {
    private final Gateway gateway;

    GatewayRoutes(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String rawPath = req.prologue().uriPath().rawPath();
        RouteTable.Route route = RouteTable.route(rawPath).orElseThrow(() -> new ApiException.NotFound("not_found",
                "no route for " + req.prologue().method().text() + " " + rawPath));
        ApiKeys.Caller caller = gateway.admit(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null), route);
        if (route.daemon() == null) {
            answerHere(route, req, res);
            return;
        }
        gateway.upstream(route.daemon()).forward(req, res, route.prefix(), gateway.config().timeouts().get(route.scope()),
                caller.name());
    }

    private void answerHere(RouteTable.Route route, ServerRequest req, ServerResponse res) {
        if (!"GET".equals(req.prologue().method().text()) || !route.prefix().equals(req.prologue().uriPath().rawPath())) {
            throw new ApiException.BadRequest(405, "method_not_allowed", req.prologue().method().text() + " "
                    + req.prologue().uriPath().rawPath() + " is not served; the gateway answers GET " + route.prefix(),
                    java.util.Map.of("Allow", "GET"));
        }
        Json.send(res, 200, route.prefix().equals("/v1/status") ? gateway.status() : gateway.models());
    }
}
