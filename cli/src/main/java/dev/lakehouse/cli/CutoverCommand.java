package dev.lakehouse.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lakehouse cutover shadow|switch|rollback|status} (scripts/cutover/cutover.sh; the runbook is docs/cutover.md):
 * changes the gateway's cutover table one route at a time through {@code PUT /admin/routes} — the gateway journals the
 * change (who, what, the versions before and after, the parity seen) before it takes effect, refuses it while journald
 * cannot take the entry unless {@code --force}, and refuses a change made from a stale read (another operator was first).
 * Every step prints what it will do first; {@code --dry-run} stops there. With several gateway replicas
 * ({@code --gateways}), parity is summed over them and the step waits until every replica runs the new table.
 */
@Command(name = "cutover", description = "Move /v1 routes from a legacy stack to this one: shadow, switch, rollback, status.",
        subcommands = {CutoverCommand.Shadow.class, CutoverCommand.Switch.class, CutoverCommand.Rollback.class, CutoverCommand.Status.class})
final class CutoverCommand extends LakehouseCli.Group {
    /** Exit status when the change is in force but some replicas did not take it in time. */
    static final int LAGGARDS = 3;

    /** What every step needs: the gateway (or its replicas) and its admin key. */
    abstract static class Step extends LakehouseCli.Base {
        @CommandLine.Mixin
        GatewayOption gateway;

        @Option(names = "--gateways", split = ",", description = "every gateway replica, comma-separated (default: "
                + "LAKEHOUSE_GATEWAY_REPLICAS, else --gateway alone): parity is summed over them, a step waits for all")
        List<URI> gateways;

        @Option(names = "--key", description = "an API key with the admin scope (default: LAKEHOUSE_ADMIN_KEY; none for an open gateway)")
        String key;

        @Option(names = "--force", description = "change the table even when journald cannot take the entry now (it is spooled "
                + "by the gateway and journaled when journald answers); for rollback, also to a target that does not answer")
        boolean force;

        @Option(names = "--dry-run", description = "print what the step would do, and the table it would put in force; change nothing")
        boolean dryRun;

        @Option(names = "--wait", defaultValue = "30", paramLabel = "SECONDS",
                description = "how long to wait for every replica to run the new table, in seconds (default ${DEFAULT-VALUE})")
        int waitSeconds;

        URI gatewayUrl() {
            return gateway.url(stack);
        }

        List<URI> replicas() {
            if (gateways != null && !gateways.isEmpty()) {
                return gateways;
            }
            return stack.env().get("LAKEHOUSE_GATEWAY_REPLICAS").filter(v -> !v.isBlank())
                    .map(v -> java.util.Arrays.stream(v.split("\\s*,\\s*")).map(URI::create).toList()).orElse(List.of(gatewayUrl()));
        }

        HttpResponse<String> call(String method, URI base, String path, String body, boolean admin) throws IOException, InterruptedException {
            return call(method, base, path, body, admin, Duration.ofSeconds(30));
        }

        HttpResponse<String> call(String method, URI base, String path, String body, boolean admin, Duration timeout)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            String k = key != null ? key : stack.env().get("LAKEHOUSE_ADMIN_KEY").orElse(null);
            if (admin && k != null) {
                b.header("Authorization", "Bearer " + k);
            }
            return CliHttp.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** The table in force on the first replica: {"version", "routes", "replica", …}. */
        ObjectNode read() throws IOException, InterruptedException {
            URI g = replicas().get(0);
            HttpResponse<String> r = call("GET", g, "/admin/routes", null, true);
            if (r.statusCode() != 200) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the gateway at " + g + " answered " + r.statusCode()
                        + " to GET /admin/routes: " + abbreviate(r.body()));
            }
            return (ObjectNode) Json.mapper().readTree(r.body());
        }

        /** The table's routes with the route's entry replaced (or added, or removed when {@code entry} is null). */
        static ArrayNode with(ObjectNode table, String route, ObjectNode entry) {
            ArrayNode routes = Json.mapper().createArrayNode();
            for (JsonNode e : table.path("routes")) {
                if (!e.path("prefix").asText().equals(route)) {
                    routes.add(e);
                }
            }
            if (entry != null) {
                routes.add(entry);
            }
            return routes;
        }

        static JsonNode entry(JsonNode routes, String route) {
            for (JsonNode e : routes) {
                if (e.path("prefix").asText().equals(route)) {
                    return e;
                }
            }
            return null;
        }

        /**
         * Says what the step does, then (unless a dry run) has the gateway journal and apply it, and waits for every replica.
         * 0: in force everywhere; 1: refused (nothing changed); 3: in force, some replicas late.
         */
        int apply(String type, String route, ObjectNode before, ArrayNode after, ObjectNode data, String plan) throws Exception {
            String version = before.path("version").asText();
            out().println(type + " " + route + ": " + plan);
            if (dryRun) {
                out().println("dry run: the table would be");
                out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Json.mapper().createObjectNode().set("routes", after)));
                return 0;
            }
            data.put("route", route);
            data.set("before", Optional.ofNullable(entry(before.path("routes"), route)).orElse(Json.mapper().nullNode()));
            data.set("after", Optional.ofNullable(entry(after, route)).orElse(Json.mapper().nullNode()));
            ObjectNode body = Json.mapper().createObjectNode();
            body.set("routes", after);
            body.put("expect_version", version);
            body.putObject("change").put("type", type).put("operator", DistillCommand.Review.actor()).set("data", data);
            URI g = replicas().get(0);
            HttpResponse<String> r = call("PUT", g, "/admin/routes" + (force ? "?force=true" : ""), Json.mapper().writeValueAsString(body), true);
            if (r.statusCode() != 200) {
                JsonNode p = Json.mapper().readTree(r.body().isEmpty() ? "{}" : r.body());
                String why = p.path("detail").asText(abbreviate(r.body()));
                err().println(type + " " + route + " refused (" + r.statusCode() + " " + p.path("code").asText() + "): " + why
                        + (p.path("code").asText().equals("journal_unavailable") ? "" : "; nothing changed"));
                return 1;
            }
            JsonNode a = Json.mapper().readTree(r.body());
            String now = a.path("table").path("version").asText();
            JsonNode j = a.path("journal");
            out().println(type + " " + route + ": table " + version + " -> " + now + (j.has("seq") ? " (journal seq " + j.path("seq").asLong() + ")"
                    : j.path("spooled").asBoolean() ? " (FORCED: journald is down; the gateway journals it when journald answers)" : ""));
            return awaitReplicas(now);
        }

        /** Waits until every replica runs {@code version}; names the laggards when some do not in time. */
        int awaitReplicas(String version) throws Exception {
            List<URI> all = replicas();
            long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
            Map<URI, String> seen = new LinkedHashMap<>();
            while (true) {
                for (URI g : all) {
                    try {
                        HttpResponse<String> r = call("GET", g, "/admin/routes", null, true, Duration.ofSeconds(3));
                        seen.put(g, r.statusCode() == 200 ? Json.mapper().readTree(r.body()).path("version").asText() : "answered " + r.statusCode());
                    } catch (IOException e) {
                        seen.put(g, "unreachable");
                    }
                }
                List<URI> late = all.stream().filter(g -> !version.equals(seen.get(g))).toList();
                if (late.isEmpty()) {
                    if (all.size() > 1) {
                        out().println("all " + all.size() + " gateway replicas run table " + version);
                    }
                    return 0;
                }
                if (System.nanoTime() > deadline) {
                    err().println("after " + waitSeconds + " s, " + late.size() + " of " + all.size() + " replicas do not run table "
                            + version + ": " + late.stream().map(g -> g + " (" + seen.get(g) + ")").collect(Collectors.joining(", ")));
                    return LAGGARDS;
                }
                Thread.sleep(200);
            }
        }

        /** The route's parity summed over every replica: {"compared", "match", "rate"} (rate null when nothing compared). */
        record Parity(long compared, long match, Double rate, long unavailable) {
            String text() {
                return rate == null ? "no compared requests" : String.format("parity %.4f over %d compared requests", rate, compared);
            }
        }

        Parity parity(String route) throws IOException, InterruptedException {
            long match = 0;
            long diff = 0;
            long unavailable = 0;
            for (URI g : replicas()) {
                HttpResponse<String> r = call("GET", g, "/admin/parity?route=" + route, null, true);
                if (r.statusCode() == 200) {
                    JsonNode res = Json.mapper().readTree(r.body()).path("routes").path(0).path("results");
                    match += res.path("match").asLong();
                    diff += res.path("diff").asLong();
                    unavailable += res.path("shadow_unavailable").asLong();
                }
            }
            long compared = match + diff;
            return new Parity(compared, match, compared == 0 ? null : Math.round(match * 10_000.0 / compared) / 10_000.0, unavailable);
        }

        ObjectNode parityData(Parity p) {
            ObjectNode d = Json.mapper().createObjectNode().put("compared", p.compared()).put("replicas", replicas().size());
            if (p.rate() != null) {
                d.put("match_rate", p.rate());
            }
            return d;
        }
    }

    /** A step on one route: the route, then the table's entry for it. */
    abstract static class RouteStep extends Step {
        @Parameters(index = "0", description = "the /v1 route prefix, e.g. /v1/validate")
        String route;

        @Override
        public final Integer call() throws Exception {
            ObjectNode before = read();
            return step(before, entry(before.path("routes"), route));
        }

        /** The step, given the table as it is and the route's entry in it (null when it has none). */
        abstract int step(ObjectNode before, JsonNode current) throws Exception;

        static ObjectNode copyFlags(ObjectNode e, JsonNode current) {
            if (current != null) {
                for (String k : new String[]{"normalize", "shadow_writes", "shadow_paid"}) {
                    if (current.has(k)) {
                        e.set(k, current.get(k));
                    }
                }
            }
            return e;
        }
    }

    @Command(name = "shadow", description = "The legacy stack serves ROUTE; a share of its requests is copied to this stack and compared "
            + "(reads only, unless --shadow-writes / --shadow-paid).")
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

        @Option(names = "--shadow-writes", description = "copy writes too: each one then runs on BOTH stacks (docs/cutover.md)")
        boolean shadowWrites;

        @Option(names = "--shadow-paid", description = "copy calls that pay a provider (chat, iterate): each is paid twice")
        boolean shadowPaid;

        @Override
        int step(ObjectNode before, JsonNode old) throws Exception {
            ObjectNode e = Json.mapper().createObjectNode().put("prefix", route).put("target", legacy.toString()).put("mode", "shadow")
                    .put("sample", sample).put("shadow_writes", shadowWrites).put("shadow_paid", shadowPaid);
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
            if (shadowWrites) {
                err().println("WARNING: " + route + ": writes are copied too: every write to it runs on the legacy stack AND this one");
            }
            if (shadowPaid) {
                err().println("WARNING: " + route + ": calls that pay a provider are copied: each is paid twice");
            }
            ObjectNode data = Json.mapper().createObjectNode().put("shadow_writes", shadowWrites).put("shadow_paid", shadowPaid);
            return apply("cutover.shadow", route, before, with(before, route, e), data, legacy + " serves; " + (sample >= 1 ? "every" : sample
                    + " of the") + " request" + (sample >= 1 ? "" : "s") + " copied here and compared (" + (shadowWrites ? "writes too" : "reads only")
                    + (shadowPaid ? ", paid calls too" : "") + ")");
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
            Parity p = parity(route);
            if (p.compared() < minCompared || p.rate() == null || p.rate() < minParity) {
                err().printf("switch %s refused: %s; the switch needs >= %.4f over >= %d (GET /admin/parity)%n", route, p.text(),
                        minParity, minCompared);
                return 1;
            }
            String smokeResult = smoke();
            if (smokeResult != null) {
                err().println("switch " + route + " refused: the smoke request failed: " + smokeResult);
                return 1;
            }
            String legacyUrl = current.path("target").asText();
            ObjectNode e = copyFlags(Json.mapper().createObjectNode().put("prefix", route).put("target", "local")
                    .put("mode", noWatch ? "serve" : "shadow").put("legacy", legacyUrl).put("sample", current.path("sample").asDouble(1)), current);
            ObjectNode data = parityData(p).put("smoke", "ok");
            return apply("cutover.switch", route, before, with(before, route, e), data, "this stack serves instead of " + legacyUrl
                    + (noWatch ? "" : ", copies go to it to watch") + "; " + p.text() + ", smoke request ok");
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
            HttpRequest.Builder b = stack.toDaemon(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = CliHttp.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
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

    @Command(name = "rollback", description = "The legacy stack serves ROUTE again, in one step, once it answers.")
    static final class Rollback extends RouteStep {
        @Option(names = "--legacy", description = "the legacy stack's base URL (default: the one the table names for the route)")
        URI legacy;

        @Option(names = "--probe-timeout", defaultValue = "3", paramLabel = "SECONDS",
                description = "how long the target may take to answer each probe (default ${DEFAULT-VALUE})")
        int probeTimeout;

        @Override
        int step(ObjectNode before, JsonNode current) throws Exception {
            String url = legacy != null ? legacy.toString() : current == null ? null
                    : current.path("target").asText().equals("local") ? current.path("legacy").asText(null) : current.path("target").asText();
            if (url == null) {
                err().println(route + ": no legacy URL in the table for it; pass --legacy");
                return 1;
            }
            String dead = probe(URI.create(url));
            if (dead != null && !force) {
                err().println("rollback " + route + " refused: the target " + url + " " + dead + "; pointing the route at it would fail "
                        + "every call (--force to roll back anyway)");
                return 1;
            }
            ObjectNode e = Json.mapper().createObjectNode().put("prefix", route).put("target", url).put("mode", "serve");
            Parity p = parity(route);
            ObjectNode data = parityData(p).put("probe", dead == null ? "ok" : dead);
            return apply("cutover.rollback", route, before, with(before, route, e), data, url + " serves again"
                    + (dead == null ? " (it answers: /ready and " + route + ")" : " — FORCED: it " + dead) + "; " + p.text() + " until now");
        }

        /** Null when the target is ready and serves the route (any answer but 5xx); else what is wrong with it. */
        private String probe(URI target) {
            Duration t = Duration.ofSeconds(probeTimeout);
            try {
                HttpResponse<String> ready = call("GET", target, "/ready", null, false, t);
                if (ready.statusCode() == 404) {   // a stack with no /ready: its /health
                    ready = call("GET", target, "/health", null, false, t);
                }
                if (ready.statusCode() / 100 != 2) {
                    return "is not ready (GET /ready answered " + ready.statusCode() + ")";
                }
                HttpResponse<String> own = call("GET", target, route, null, false, t);
                if (own.statusCode() >= 500) {
                    return "fails on the route itself (GET " + route + " answered " + own.statusCode() + ")";
                }
                return null;
            } catch (java.net.http.HttpTimeoutException e) {
                return "did not answer within " + probeTimeout + " s (hung?)";
            } catch (IOException e) {
                return "does not answer (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "was not probed (interrupted)";
            }
        }
    }

    @Command(name = "status", description = "Every route of the table: who serves it, its mode, its parity; and each gateway replica's table.")
    static final class Status extends Step {
        @Override
        public Integer call() throws Exception {
            ObjectNode table = read();
            out().println("table " + table.path("version").asText() + " (" + table.path("file").asText("no file") + ")"
                    + (table.path("pending_journal").asInt() > 0 ? "; " + table.path("pending_journal").asInt() + " change(s) waiting for journald" : ""));
            out().printf("%-16s %-8s %-32s %-7s %s%n", "ROUTE", "MODE", "SERVED BY", "SAMPLE", "PARITY (all replicas)");
            for (JsonNode e : table.path("routes")) {
                String prefix = e.path("prefix").asText();
                Parity p = parity(prefix);
                String par = e.path("mode").asText().equals("shadow") || p.compared() > 0 ? (p.rate() == null ? "n/a" : String.format("%.4f", p.rate()))
                        + " of " + p.compared() + " compared, " + p.unavailable() + " unavailable" : "-";
                String flags = (e.path("shadow_writes").asBoolean() ? " +writes" : "") + (e.path("shadow_paid").asBoolean() ? " +paid" : "");
                out().printf("%-16s %-8s %-32s %-7s %s%s%n", prefix, e.path("mode").asText(), e.path("target").asText(),
                        e.path("mode").asText().equals("shadow") ? e.path("sample").asText() : "", par, flags);
            }
            out().println("every other /v1 route: served locally");
            List<URI> all = replicas();
            if (all.size() > 1) {
                out().printf("%-40s %-14s %s%n", "REPLICA", "TABLE", "");
                for (URI g : all) {
                    String v;
                    try {
                        HttpResponse<String> r = call("GET", g, "/admin/routes", null, true, Duration.ofSeconds(3));
                        JsonNode t = r.statusCode() == 200 ? Json.mapper().readTree(r.body()) : null;
                        v = t == null ? "answered " + r.statusCode() : t.path("version").asText() + " " + t.path("replica").asText();
                    } catch (IOException e) {
                        v = "unreachable";
                    }
                    out().printf("%-40s %s%s%n", g, v, v.startsWith(table.path("version").asText()) ? "" : "   <- differs");
                }
            }
            return 0;
        }
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
