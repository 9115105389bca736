package dev.lakehouse.gateway;

import java.util.Map;

import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

/**
 * The gateway's own {@code /admin} routes (scope {@code admin}; docs/cutover.md):
 * <pre>
 * GET  /admin/routes          the cutover table in force and its version
 * POST /admin/routes/reload   read LAKEHOUSE_ROUTES_FILE again: 200 with the new table, or 400 with why (the old one stays)
 * GET  /admin/parity?route=   shadow results and match rates per route, since the table was loaded
 * </pre>
 * {@code curl -s -XPOST localhost:4200/admin/routes/reload -H 'Authorization: Bearer <admin key>'}
 */
record AdminRoutes(Gateway gateway) implements HttpService {
    static final RouteTable.Route ADMIN = new RouteTable.Route("/admin", RouteTable.ADMIN, null);

    private void admit(ServerRequest req) {
        gateway.admit(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null), ADMIN);
    }

    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.GET, "/routes", (req, res) -> {
            admit(req);
            Json.send(res, 200, gateway.cutover().table());
        });
        Routes.only(rules, Method.POST, "/routes/reload", (req, res) -> {
            admit(req);
            CutoverTable before = gateway.cutover().table();
            CutoverTable now = gateway.cutover().reload();
            Json.send(res, 200, Map.of("before", before.version(), "table", now));
        });
        Routes.only(rules, Method.GET, "/parity", (req, res) -> {
            admit(req);
            String route = req.query().first("route").orElse(null);
            Json.send(res, 200, Map.of("table", gateway.cutover().table().version(), "routes", gateway.cutover().parity(route)));
        });
    }
}
