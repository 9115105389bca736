package dev.lakehouse.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lakehouse cutover shadow|switch|rollback|status} (scripts/cutover/cutover.sh; the runbook is docs/cutover.md):
 * edits the gateway's routes file ({@code LAKEHOUSE_ROUTES_FILE}) one route at a time, has the gateway reload it, and
 * journals each step ({@code cutover.shadow}, {@code cutover.switch}, {@code cutover.rollback}: actor, route, the table
 * version before and after, the parity seen). {@code switch} refuses unless the route's shadow parity is above the
 * threshold over enough compared requests and a smoke request to this stack's daemon answers 2xx. The edit is undone when
 * the gateway refuses the new file; nothing is journaled then.
 */
@Command(name = "cutover", description = "Move /v1 routes from a legacy stack to this one: shadow, switch, rollback, status.",
        subcommands = {CutoverCommand.Shadow.class, CutoverCommand.Switch.class, CutoverCommand.Rollback.class, CutoverCommand.Status.class})
final class CutoverCommand extends LakehouseCli.Group {


    /** What every step needs: the routes file, the gateway, its admin key, journald. */
    abstract static class Step extends LakehouseCli.Base {
        @Option(names = "--routes-file", description = "the gateway's routes file (default: LAKEHOUSE_ROUTES_FILE)")
        Path routesFile;

        @Option(names = "--gateway", description = "this stack's gateway (default: LAKEHOUSE_GATEWAY_URL or the local port)")
        URI gateway;

        @Option(names = "--key", description = "an API key with the admin scope (default: LAKEHOUSE_ADMIN_KEY; none for an open gateway)")
        String key;

        Path file() {
            Path f = routesFile != null ? routesFile : stack.env().get("LAKEHOUSE_ROUTES_FILE").map(Path::of).orElse(null);
            if (f == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no routes file: pass --routes-file or set LAKEHOUSE_ROUTES_FILE "
                        + "(the gateway's)");
            }
            return f;
        }

        URI gatewayUrl() {
            return gateway != null ? gateway : stack.env().url("LAKEHOUSE_GATEWAY_URL", stack.url(DaemonId.GATEWAY));
        }

        HttpResponse<String> call(String method, URI base, String path, String body, boolean admin) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            String k = key != null ? key : stack.env().get("LAKEHOUSE_ADMIN_KEY").orElse(null);
            if (admin && k != null) {
                b.header("Authorization", "Bearer " + k);
            }
            return CliHttp.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        ObjectNode read() throws IOException {
            Path f = file();
            return Files.exists(f) ? (ObjectNode) Json.mapper().readTree(Files.readAllBytes(f))
                    : (ObjectNode) Json.mapper().readTree("{\"routes\":[]}");
        }

        /** The route's entry replaced (or added, or removed when {@code entry} is null). */
        static ObjectNode with(ObjectNode table, String route, ObjectNode entry) {
            ObjectNode out = table.deepCopy();
            ArrayNode routes = out.putArray("routes");
            for (JsonNode e : table.path("routes")) {
                if (!e.path("prefix").asText().equals(route)) {
                    routes.add(e);
                }
            }
            if (entry != null) {
                routes.add(entry);
            }
            return out;
        }

        static JsonNode entry(ObjectNode table, String route) {
            for (JsonNode e : table.path("routes")) {
                if (e.path("prefix").asText().equals(route)) {
                    return e;
                }
            }
            return null;
        }

        /** Writes the table, has the gateway reload it, and journals the step; the old file back when the gateway refuses. */
        int apply(String type, String route, ObjectNode before, ObjectNode after, ObjectNode data) throws Exception {
            String oldVersion = version();
            byte[] old = Files.exists(file()) ? Files.readAllBytes(file()) : null;
            AtomicFile.write(file(), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(after));
            HttpResponse<String> r = call("POST", gatewayUrl(), "/admin/routes/reload", null, true);
            if (r.statusCode() != 200) {
                if (old != null) {
                    AtomicFile.write(file(), old);
                } else {
                    Files.deleteIfExists(file());
                }
                err().println("the gateway refused the new table (" + r.statusCode() + "): " + r.body() + "; the file is as it was");
                return 1;
            }
            String newVersion = Json.mapper().readTree(r.body()).path("table").path("version").asText();
            ObjectNode entry = Json.mapper().createObjectNode().put("type", type).put("actor", DistillCommand.Review.actor())
                    .put("subject", "route:" + route);
            data.put("route", route).put("before_version", oldVersion).put("after_version", newVersion);
            data.set("before", entry(before, route) == null ? Json.mapper().nullNode() : entry(before, route));
            data.set("after", entry(after, route) == null ? Json.mapper().nullNode() : entry(after, route));
            entry.set("data", data);
            URI journald = stack.env().url("LAKEHOUSE_JOURNALD_URL", stack.url(DaemonId.JOURNALD));
            HttpResponse<String> j;
            try {
                j = call("POST", journald, "/v1/journal/entries", Json.mapper().writeValueAsString(entry), false);
            } catch (IOException e) {
                err().println("the step is in force (table " + newVersion + ") but journald at " + journald + " did not answer: " + e);
                return 1;
            }
            if (j.statusCode() / 100 != 2) {
                err().println("the step is in force (table " + newVersion + ") but journald refused the entry: " + j.body());
                return 1;
            }
            out().println(type + " " + route + ": table " + oldVersion + " -> " + newVersion + " (journal seq "
                    + Json.mapper().readTree(j.body()).path("seq").asLong() + ")");
            return 0;
        }

        String version() throws IOException, InterruptedException {
            HttpResponse<String> r = call("GET", gatewayUrl(), "/admin/routes", null, true);
            if (r.statusCode() != 200) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the gateway at " + gatewayUrl() + " answered " + r.statusCode()
                        + " to GET /admin/routes: " + r.body());
            }
            return Json.mapper().readTree(r.body()).path("version").asText();
        }

        /** The route's parity in force: {"requests","results","match_rate"}, or null when the gateway has none. */
        JsonNode parity(String route) throws IOException, InterruptedException {
            HttpResponse<String> r = call("GET", gatewayUrl(), "/admin/parity?route=" + route, null, true);
            return r.statusCode() == 200 ? Json.mapper().readTree(r.body()).path("routes").path(0) : null;
        }
    }

    /** A step on one route: the route, then the table's entry for it. */
    abstract static class RouteStep extends Step {
        @Parameters(index = "0", description = "the /v1 route prefix, e.g. /v1/validate")
        String route;

        @Override
        public final Integer call() throws Exception {
            ObjectNode before = read();
            return step(before, entry(before, route));
        }

        /** The step, given the table as it is and the route's entry in it (null when it has none). */
        abstract int step(ObjectNode before, JsonNode current) throws Exception;
    }

    @Command(name = "shadow", description = "The legacy stack serves ROUTE; a share of its requests is copied to this stack and compared.")
    static final class Shadow extends RouteStep {
        @Option(names = "--legacy", required = true, description = "the legacy stack's base URL")
        URI legacy;

        @Option(names = "--sample", defaultValue = "1", description = "the share of requests copied, 0-1 (default ${DEFAULT-VALUE})")
        double sample;

        @Option(names = "--ignore", description = "a key not compared, at any depth (repeatable; timings and request ids never are)")
        java.util.List<String> ignore;

        @Option(names = "--unordered", description = "a key whose array's order does not count (repeatable)")
        java.util.List<String> unordered;

        @Option(names = "--tolerance", description = "relative float tolerance (default 1e-9)")
        Double tolerance;

        @Override
        int step(ObjectNode before, JsonNode old) throws Exception {
            ObjectNode e = Json.mapper().createObjectNode().put("prefix", route).put("target", legacy.toString()).put("mode", "shadow")
                    .put("sample", sample);
            if (ignore != null || unordered != null || tolerance != null) {
                ObjectNode n = e.putObject("normalize");
                if (ignore != null) {
                    ignore.forEach(n.putArray("ignore")::add);
                }
                if (unordered != null) {
                    unordered.forEach(n.putArray("unordered")::add);
                }
                if (tolerance != null) {
                    n.put("tolerance", tolerance);
                }
            } else if (old != null && old.has("normalize")) {
                e.set("normalize", old.get("normalize"));
            }
            return apply("cutover.shadow", route, before, with(before, route, e), Json.mapper().createObjectNode());
        }
    }

    @Command(name = "switch", description = "This stack serves ROUTE (copies still go to legacy, to watch), once parity and a smoke "
            + "request say so.")
    static final class Switch extends RouteStep {
        @Option(names = "--min-parity", defaultValue = "0.99", description = "the match rate the shadow phase must have reached (default ${DEFAULT-VALUE})")
        double minParity;

        @Option(names = "--min-compared", defaultValue = "100", description = "compared requests needed (default ${DEFAULT-VALUE})")
        long minCompared;

        @Option(names = "--smoke", description = "a smoke request to this stack's gateway route, METHOD PATH [BODY] "
                + "(default: GET <route's daemon>/ready)")
        String smoke;

        @Option(names = "--no-watch", description = "serve only: stop copying to legacy")
        boolean noWatch;

        @Override
        int step(ObjectNode before, JsonNode current) throws Exception {
            if (current == null || current.path("target").asText().equals("local")) {
                err().println(route + " is not served by a legacy stack now (" + (current == null ? "not in the table" : "local already")
                        + "); shadow it first");
                return 1;
            }
            JsonNode p = parity(route);
            long compared = p == null ? 0 : p.path("results").path("match").asLong() + p.path("results").path("diff").asLong();
            double rate = p == null || !p.has("match_rate") ? 0 : p.path("match_rate").asDouble();
            if (compared < minCompared || rate < minParity) {
                err().printf("%s: parity %.4f over %d compared requests; the switch needs >= %.4f over >= %d (GET /admin/parity)%n", route,
                        rate, compared, minParity, minCompared);
                return 1;
            }
            String smokeResult = smoke();
            if (smokeResult != null) {
                err().println(route + ": the smoke request failed: " + smokeResult);
                return 1;
            }
            String legacyUrl = current.path("target").asText();
            ObjectNode e = Json.mapper().createObjectNode().put("prefix", route).put("target", "local")
                    .put("mode", noWatch ? "serve" : "shadow").put("legacy", legacyUrl).put("sample", current.path("sample").asDouble(1));
            if (current.has("normalize")) {
                e.set("normalize", current.get("normalize"));
            }
            ObjectNode data = Json.mapper().createObjectNode().put("match_rate", rate).put("compared", compared).put("smoke", "ok");
            return apply("cutover.switch", route, before, with(before, route, e), data);
        }

        /** Null when the smoke request answered 2xx; else what it answered. */
        private String smoke() throws Exception {
            // to this stack's daemon directly: the route still goes to the legacy stack through the gateway
            URI base = daemonOf(route);
            String method = "GET";
            String path = "/ready";
            String body = null;
            if (smoke != null) {
                String[] parts = smoke.strip().split(" ", 3);
                method = parts[0];
                path = parts.length > 1 ? parts[1] : route;
                body = parts.length > 2 ? parts[2] : null;
            }
            HttpResponse<String> r = call(method, base, path, body, false);
            return r.statusCode() / 100 == 2 ? null : method + " " + base.resolve(path) + " answered " + r.statusCode() + ": " + abbreviate(r.body());
        }

        private URI daemonOf(String route) {
            DaemonId d = switch (route.split("/").length > 2 ? route.split("/")[2] : "") {
                case "embed", "embeddings" -> DaemonId.EMBEDD;
                case "indexes" -> DaemonId.VECTORD;
                case "chat", "providers" -> DaemonId.CHATD;
                case "matrix" -> DaemonId.MATRIXD;
                case "memory" -> DaemonId.PATHWAYD;
                case "validate", "iterate", "roster" -> DaemonId.VALIDATORD;
                case "truth" -> DaemonId.TRUTHD;
                case "observe" -> DaemonId.OBSERVERD;
                case "journal" -> DaemonId.JOURNALD;
                case "distill" -> DaemonId.DISTILLD;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "no daemon serves " + route);
            };
            return stack.env().url("LAKEHOUSE_" + d.envName() + "_URL", stack.url(d));
        }
    }

    @Command(name = "rollback", description = "The legacy stack serves ROUTE again, in one step.")
    static final class Rollback extends RouteStep {
        @Option(names = "--legacy", description = "the legacy stack's base URL (default: the one the table names for the route)")
        URI legacy;

        @Override
        int step(ObjectNode before, JsonNode current) throws Exception {
            String url = legacy != null ? legacy.toString() : current == null ? null
                    : current.path("target").asText().equals("local") ? current.path("legacy").asText(null) : current.path("target").asText();
            if (url == null) {
                err().println(route + ": no legacy URL in the table for it; pass --legacy");
                return 1;
            }
            ObjectNode e = Json.mapper().createObjectNode().put("prefix", route).put("target", url).put("mode", "serve");
            ObjectNode data = Json.mapper().createObjectNode();
            JsonNode p = parity(route);
            if (p != null) {
                data.set("parity", p);
            }
            return apply("cutover.rollback", route, before, with(before, route, e), data);
        }
    }

    @Command(name = "status", description = "Every route of the table: who serves it, its mode, its parity.")
    static final class Status extends Step {
        @Override
        public Integer call() throws Exception {
            HttpResponse<String> t = call("GET", gatewayUrl(), "/admin/routes", null, true);
            HttpResponse<String> p = call("GET", gatewayUrl(), "/admin/parity", null, true);
            if (t.statusCode() != 200) {
                err().println("the gateway at " + gatewayUrl() + " answered " + t.statusCode() + ": " + t.body());
                return 1;
            }
            JsonNode table = Json.mapper().readTree(t.body());
            JsonNode parity = p.statusCode() == 200 ? Json.mapper().readTree(p.body()).path("routes") : Json.mapper().createArrayNode();
            out().println("table " + table.path("version").asText() + " (" + table.path("file").asText("no file") + ")");
            out().printf("%-16s %-8s %-32s %-7s %s%n", "ROUTE", "MODE", "SERVED BY", "SAMPLE", "PARITY");
            for (JsonNode e : table.path("routes")) {
                String par = "-";
                for (JsonNode x : parity) {
                    if (x.path("route").asText().equals(e.path("prefix").asText())) {
                        par = (x.has("match_rate") ? String.format("%.4f", x.path("match_rate").asDouble()) : "n/a") + " of "
                                + (x.path("results").path("match").asLong() + x.path("results").path("diff").asLong()) + " compared, "
                                + x.path("results").path("shadow_unavailable").asLong() + " unavailable";
                    }
                }
                out().printf("%-16s %-8s %-32s %-7s %s%n", e.path("prefix").asText(), e.path("mode").asText(), e.path("target").asText(),
                        e.path("mode").asText().equals("shadow") ? e.path("sample").asText() : "", par);
            }
            out().println("every other /v1 route: served locally");
            return 0;
        }
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
