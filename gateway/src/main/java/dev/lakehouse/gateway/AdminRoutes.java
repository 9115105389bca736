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
 * GET  /admin/routes                 the cutover table in force, its version, this replica's name, changes waiting for journald
 * PUT  /admin/routes[?force=true]    a new table {"routes":[…],"expect_version":"…","change":{"type":"cutover.switch",
 *                                    "operator":"alice@ops-1","data":{…}}}: journaled, written to the routes file, in force
 * POST /admin/routes/reload[?force=true]   read LAKEHOUSE_ROUTES_FILE again: 200 with the new table, 400 with why (the old one stays)
 * GET  /admin/parity?route=          shadow results and match rates per route, since the route's entry last changed
 * </pre>
 * A change whose journal entry journald cannot take is refused (503 {@code journal_unavailable}) unless {@code force=true};
 * a change from a stale read is a 409 {@code table_changed} naming the version there is now.
 * {@code curl -s -XPOST localhost:4200/admin/routes/reload -H 'Authorization: Bearer <admin key>'}
 */
record AdminRoutes(Gateway gateway) implements HttpService {
    static final RouteTable.Route ADMIN = new RouteTable.Route("/admin", RouteTable.ADMIN, null);

    /** What {@code GET /admin/routes} answers. */
    record TableView(String version, String loadedAt, String file, java.util.List<CutoverTable.Entry> routes, String replica,
                     int pendingJournal) {
    }

    /** {@code PUT /admin/routes}'s body. */
    record PutTable(com.fasterxml.jackson.databind.JsonNode routes, String expectVersion, ChangeInfo change) {
        PutTable {
            dev.lakehouse.common.FieldError.required(routes, "routes");
            dev.lakehouse.common.FieldError.check(routes.isArray(), "routes", "must be an array of route entries");
            dev.lakehouse.common.FieldError.check(expectVersion == null || expectVersion.length() <= 64, "expect_version",
                    "must be at most 64 characters");
            change = change == null ? new ChangeInfo(null, null, null) : change;
        }
    }

    /** Who asks for a change and why: the journal entry's type, the operator's own name, and data (the CLI's parity). */
    record ChangeInfo(String type, String operator, com.fasterxml.jackson.databind.node.ObjectNode data) {
        ChangeInfo {
            type = type == null ? "cutover.edit" : type;
            dev.lakehouse.common.FieldError.check(Cutover.Change.TYPES.matcher(type).matches(), "change.type",
                    "must be cutover.shadow, cutover.switch, cutover.rollback or cutover.edit");
            dev.lakehouse.common.FieldError.check(operator == null || operator.length() <= 128 && operator.chars().noneMatch(Character::isISOControl),
                    "change.operator", "must be at most 128 characters, no control characters");
            dev.lakehouse.common.FieldError.check(data == null || data.toString().length() <= 16_384, "change.data", "must be at most 16 KiB");
        }
    }

    private ApiKeys.Caller admit(ServerRequest req) {
        return gateway.admit(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null), ADMIN);
    }

    private static boolean force(ServerRequest req) {
        String f = req.query().first("force").orElse("false");
        if (!f.equals("true") && !f.equals("false")) {
            throw new dev.lakehouse.common.ApiException.BadRequest("invalid_query", "force must be true or false");
        }
        return f.equals("true");
    }

    private static Map<String, Object> answer(Cutover.Applied a) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("before", a.before());
        out.put("table", a.table());
        out.put("journal", a.seq() != null ? Map.of("seq", a.seq()) : a.spooled() ? Map.of("spooled", true) : Map.of("unchanged", true));
        return out;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.route(Method.GET, "/routes", (req, res) -> {
            admit(req);
            Cutover c = gateway.cutover();
            CutoverTable t = c.table();
            Json.send(res, 200, new TableView(t.version(), t.loadedAt(), t.file(), t.routes(), c.replica(), c.pendingJournal()));
        });
        rules.route(Method.PUT, "/routes", (req, res) -> {
            ApiKeys.Caller caller = admit(req);
            boolean force = force(req);
            PutTable put = Json.read(req, PutTable.class);
            com.fasterxml.jackson.databind.node.ObjectNode file = Json.mapper().createObjectNode();
            file.set("routes", put.routes());
            file.putObject("change").put("id", java.util.UUID.randomUUID().toString()).put("type", put.change().type())
                    .put("by", caller.name()).put("operator", put.change().operator()).put("replica", gateway.cutover().replica())
                    .put("at", java.time.Instant.now().toString()).put("routes_sha", CutoverTable.routesSha(put.routes()));
            byte[] bytes = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(file);
            com.fasterxml.jackson.databind.node.ObjectNode data = put.change().data() == null ? Json.mapper().createObjectNode()
                    : put.change().data().deepCopy();
            if (put.change().operator() != null) {
                data.put("operator", put.change().operator());
            }
            Json.send(res, 200, answer(gateway.cutover().apply(bytes, put.expectVersion(),
                    new Cutover.Change(put.change().type(), caller.name(), "admin-put", data, force))));
        });
        Routes.allow(rules, "/routes", Method.GET, Method.PUT);
        Routes.only(rules, Method.POST, "/routes/reload", (req, res) -> {
            ApiKeys.Caller caller = admit(req);
            Json.send(res, 200, answer(gateway.cutover().reload(new Cutover.Change("cutover.reload", caller.name(), "admin-reload", null,
                    force(req)))));
        });
        Routes.only(rules, Method.GET, "/parity", (req, res) -> {
            admit(req);
            String route = req.query().first("route").orElse(null);
            Json.send(res, 200, Map.of("table", gateway.cutover().table().version(), "replica", gateway.cutover().replica(),
                    "routes", gateway.cutover().parity(route)));
        });
    }
}
