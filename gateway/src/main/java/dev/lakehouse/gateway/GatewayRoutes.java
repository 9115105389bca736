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
 * ({@code GET /v1/models}, {@code GET /v1/status}, {@code GET /v1/status/metrics}) or forwards to the daemon.
 * <pre>
 * curl -s localhost:4200/v1/status
 * curl -s localhost:4200/v1/embed -H 'Authorization: Bearer …' -H 'Content-Type: application/json' -d '{"input":"x"}'
 * </pre>
 */
record GatewayRoutes(Gateway gateway, Erasures erasures) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.any(this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String rawPath = req.prologue().uriPath().rawPath();
        RouteTable.Route route = RouteTable.route(rawPath).orElseThrow(() -> new ApiException.NotFound("not_found",
                "no route for " + req.prologue().method().text() + " " + rawPath));
        ApiKeys.Caller caller = gateway.admit(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null), route);
        if (route.prefix().equals(RouteTable.PRIVACY)) {
            privacy(req, res, rawPath);
            return;
        }
        if (route.daemon() == null) {
            answerHere(route, req, res);
            return;
        }
        java.time.Duration timeout = gateway.config().timeouts().get(route.scope());
        long length = req.headers().contentLength().orElse(-1);
        Cutover.Plan plan = gateway.cutover().plan(route.prefix(), req.prologue().method().text(), rawPath, gateway.upstream(route.daemon()), length,
                req.headers().contains(HeaderNames.TRANSFER_ENCODING), gateway.buffers());
        switch (plan) {
            case Cutover.Direct d -> d.served().forward(req, res, route.prefix(), timeout, caller.name());
            case Cutover.Shadowed s -> shadowed(s, req, res, route, length, timeout, caller);
        }
    }

    /** Serves the request from one side, then hands the copy to the other side, off this request. */
    private void shadowed(Cutover.Shadowed s, ServerRequest req, ServerResponse res, RouteTable.Route route, long length,
                          java.time.Duration timeout, ApiKeys.Caller caller) {
        try {   // until shadow() takes the budget over, giving it back when the copy is done
            byte[] body = length <= 0 ? new byte[0] : Upstream.readExactly(req.content().inputStream(), (int) length);
            Upstream.Captured answer = s.served().forward(req, body, res, route.prefix(), timeout, caller.name());
            String id = dev.lakehouse.common.RequestContext.currentId().orElse("none");
            java.util.List<io.helidon.http.Header> headers = new java.util.ArrayList<>(Upstream.passedOn(req));
            headers.add(io.helidon.http.HeaderValues.create(dev.lakehouse.common.RequestContext.HEADER, id));
            headers.add(io.helidon.http.HeaderValues.create("X-Lakehouse-Shadow", "1"));
            headers.add(io.helidon.http.HeaderValues.create(dev.lakehouse.common.RequestContext.CALLER_HEADER, caller.name()));
            headers.add(io.helidon.http.HeaderValues.create(dev.lakehouse.common.RequestContext.ROUTE_HEADER, route.prefix()));
            java.util.Map<String, java.util.List<String>> query = new java.util.LinkedHashMap<>();
            req.query().names().forEach(q -> query.put(q, req.query().all(q)));
            gateway.cutover().shadow(s.cut(), s.other(), req.prologue().method(), req.prologue().uriPath().path(), query, headers, body,
                    answer, id, timeout, () -> gateway.buffers().give(s.held()));
        } catch (RuntimeException e) {
            gateway.buffers().give(s.held());
            throw e;
        }
    }

    /**
     * {@code POST /v1/privacy/erasures} → 202 the job ({@code existing}: the same subject's unfinished job);
     * {@code GET /v1/privacy/erasures} the last 100; {@code GET /v1/privacy/erasures/{id}} one, per daemon (docs/privacy.md).
     */
    private void privacy(ServerRequest req, ServerResponse res, String rawPath) {
        String method = req.prologue().method().text();
        String rest = rawPath.substring(RouteTable.PRIVACY.length());
        if (rest.isEmpty() && method.equals("POST")) {
            Erasures.Created c = erasures.create(Json.read(req, Erasures.Request.class));
            com.fasterxml.jackson.databind.node.ObjectNode out = Json.mapper().valueToTree(c.job());
            out.put("existing", c.existing());
            res.header(HeaderNames.LOCATION, RouteTable.PRIVACY + "/" + c.job().id());
            Json.send(res, 202, out);
        } else if (rest.isEmpty() && method.equals("GET")) {
            Json.send(res, 200, java.util.Map.of("erasures", erasures.list()));
        } else if (rest.matches("/[A-Za-z0-9-]{1,64}") && method.equals("GET")) {
            Json.send(res, 200, erasures.get(rest.substring(1)).orElseThrow(() -> new ApiException.NotFound("erasure_not_found",
                    "no erasure job '" + rest.substring(1) + "'")));
        } else if (rest.isEmpty() || rest.matches("/[A-Za-z0-9-]{1,64}")) {
            String allow = rest.isEmpty() ? "GET, POST" : "GET";
            throw new ApiException.BadRequest(405, "method_not_allowed", method + " is not allowed here; allowed: " + allow,
                    java.util.Map.of("Allow", allow));
        } else {
            throw new ApiException.NotFound("not_found", "no route for " + method + " " + rawPath);
        }
    }

    private void answerHere(RouteTable.Route route, ServerRequest req, ServerResponse res) {
        if (!"GET".equals(req.prologue().method().text()) || !route.prefix().equals(req.prologue().uriPath().rawPath())) {
            throw new ApiException.BadRequest(405, "method_not_allowed", req.prologue().method().text() + " "
                    + req.prologue().uriPath().rawPath() + " is not served; the gateway answers GET " + route.prefix(),
                    java.util.Map.of("Allow", "GET"));
        }
        Object answer = switch (route.prefix()) {
            case "/v1/status" -> gateway.status();
            case "/v1/status/metrics" -> gateway.history().view();
            default -> gateway.models();
        };
        Json.send(res, 200, answer);
    }
}
