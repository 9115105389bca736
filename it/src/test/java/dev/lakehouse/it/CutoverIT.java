package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Test;

/**
 * A whole cutover of /v1/validate with two real stacks: this one (journald, validatord, the gateway with a routes file)
 * and a "legacy" one started by scripts/cutover/stack.sh (its own validatord and gateway, on its own ports and
 * directories, with a larger roster: the same first 2,000 workers and 1,000 more). While a load generator keeps calling
 * the route through this gateway: legacy serves; shadow (parity seen); a request only legacy's roster can answer makes a
 * difference that is journaled; switch (parity and smoke checked); a bad routes file sent by SIGHUP is refused; rollback;
 * the journal's chain verifies. The load sees no error; its latency per phase is printed.
 */
class CutoverIT {
    static final String ADMIN = "cutover-admin-0123456789abcdef";
    static final String USER = "cutover-user-0123456789abcdef0";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static String run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Stack.repoRoot().toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    static HttpResponse<String> call(URI base, String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String fill(String worker) {
        return "{\"kind\":\"fill\",\"fill\":{\"order\":{\"order_id\":\"O-1\",\"role\":\"forklift operator\",\"lat\":39.96,\"lon\":-82.99,"
                + "\"radius_miles\":25,\"headcount\":2},\"worker_ids\":[\"" + worker + "\"]}}";
    }

    @Test
    void aWholeCutover_shadowSwitchRollback_journaled_withTheLoadUnaffected() throws Exception {
        Path roster = Stack.generateRoster(2000);
        Path legacyRoster = Stack.generateRoster(3000);
        Path work = Files.createTempDirectory("cutover-it-");
        Path keys = work.resolve("keys.txt");
        Files.writeString(keys, "ops:" + ADMIN + "\nuser:" + USER + ":validate\n");
        Path routes = work.resolve("routes.json");
        int base = 20_000 + (int) (ProcessHandle.current().pid() % 20_000);
        String legacyUrl = "http://127.0.0.1:" + base;   // stack.sh: the legacy gateway at the port base
        Files.writeString(routes, "{\"routes\":[{\"prefix\":\"/v1/validate\",\"target\":\"" + legacyUrl + "\",\"mode\":\"serve\"}]}");
        String name = "it-legacy-" + ProcessHandle.current().pid();
        Map<String, String> legacyEnv = Map.of("LAKEHOUSE_STACKS", work.resolve("stacks").toString());
        Files.createDirectories(work.resolve("stacks").resolve(name));
        Files.writeString(work.resolve("stacks").resolve(name).resolve("extra.env"), "LAKEHOUSE_ROSTER=" + legacyRoster + "\n"
                + "LAKEHOUSE_TRUTHD_URL=http://127.0.0.1:9\nVALIDATORD_PLAYBOOKS=false\n");
        try (Stack stack = Stack.builder()
                .daemon(DaemonId.JOURNALD)
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString(), "VALIDATORD_PLAYBOOKS", "false"))
                .daemon(DaemonId.GATEWAY, Map.of("LAKEHOUSE_API_KEYS_FILE", keys.toString(), "LAKEHOUSE_ROUTES_FILE", routes.toString(),
                        "GATEWAY_RATE_PER_KEY", "0"))
                .start()) {
            String up = run(legacyEnv, "scripts/cutover/stack.sh", "up", "--name", name, "--port-base", Integer.toString(base), "journald",
                    "validatord", "gateway");
            assertThat(up).as(up).startsWith("0\n");
            Map<String, String> replicaEnv = Map.of("LAKEHOUSE_API_KEYS_FILE", keys.toString(), "LAKEHOUSE_ROUTES_FILE", routes.toString(),
                    "GATEWAY_RATE_PER_KEY", "0", "GATEWAY_ROUTES_WATCH", "200ms", "LAKEHOUSE_JOURNALD_URL", stack.url("journald").toString(),
                    "LAKEHOUSE_VALIDATORD_URL", stack.url("validatord").toString());
            try (Stack replica2 = Stack.builder().daemon(DaemonId.GATEWAY, replicaEnv).start();
                 Stack replica3 = Stack.builder().daemon(DaemonId.GATEWAY, replicaEnv).start()) {
                URI gw = stack.url("gateway");
                URI gw2 = replica2.url("gateway");
                URI gw3 = replica3.url("gateway");
                Map<String, String> ops = Map.of("LAKEHOUSE_ROUTES_FILE", routes.toString(), "LAKEHOUSE_GATEWAY_URL", gw.toString(),
                        "LAKEHOUSE_ADMIN_KEY", ADMIN, "LAKEHOUSE_JOURNALD_URL", stack.url("journald").toString(),
                        "LAKEHOUSE_VALIDATORD_URL", stack.url("validatord").toString());
                // the only worker of the larger roster: served by legacy it may be valid; here it is a phantom
                assertThat(call(URI.create(legacyUrl), "GET", "/v1/roster/workers/W002500", null, null).statusCode()).isEqualTo(200);
                assertThat(call(stack.url("validatord"), "GET", "/v1/roster/workers/W002500", null, null).statusCode()).isEqualTo(404);

                // the load: one caller, all the way through
                AtomicReference<String> phase = new AtomicReference<>("legacy serves");
                Map<String, List<Double>> latency = new ConcurrentHashMap<>();
                List<String> errors = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean running = new AtomicBoolean(true);
                Thread load = Thread.ofPlatform().start(() -> {
                    int i = 0;
                    while (running.get()) {
                        String p = phase.get();
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = call(gw, "POST", "/v1/validate", fill(String.format("W%06d", 10 + i++ % 50)), USER);
                            if (r.statusCode() != 200) {
                                errors.add(p + ": " + r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            errors.add(p + ": " + e);
                        }
                        latency.computeIfAbsent(p, k -> Collections.synchronizedList(new ArrayList<>())).add((System.nanoTime() - t0) / 1e6);
                    }
                });
                try {
                    Thread.sleep(1500);
                    phase.set("shadow");
                    String shadow = run(ops, "scripts/cutover/cutover.sh", "shadow", "/v1/validate", "--legacy", legacyUrl,
                            "--ignore", "skipped");   // each stack says in its own words why its truthd check was skipped
                    assertThat(shadow).as(shadow).startsWith("0\n").contains("cutover.shadow /v1/validate");
                    JsonNode p = awaitCompared(gw, 40);
                    assertThat(p.path("match_rate").asDouble()).as(p + "; "
                            + call(stack.url("journald"), "GET", "/v1/journal/entries?type=cutover.diff&limit=2", null, null).body()).isEqualTo(1.0);

                    // a request whose answer differs between the stacks: journaled as cutover.diff
                    for (int i = 0; i < 3; i++) {
                        assertThat(call(gw, "POST", "/v1/validate", fill("W002500"), USER).statusCode()).isEqualTo(200);
                    }
                    JsonNode diff = awaitJournal(stack.url("journald"), "cutover.diff", 3);
                    assertThat(diff.toString()).contains("/v1/validate", "$.violations", "\"served_status\":200", "\"shadow_status\":200");

                    // a write route shadowed without opting in: served by legacy, nothing written here; reads are copied
                    URI journald = stack.url("journald");
                    String shadowJournal = run(ops, "scripts/cutover/cutover.sh", "shadow", "/v1/journal", "--legacy", legacyUrl);
                    assertThat(shadowJournal).as(shadowJournal).startsWith("0\n").contains("reads only");
                    String write = "{\"type\":\"it.write\",\"actor\":\"it\",\"data\":{\"n\":1}}";
                    assertThat(call(gw, "POST", "/v1/journal/entries", write, ADMIN).statusCode()).isEqualTo(201);
                    assertThat(call(gw, "GET", "/v1/journal/entries?type=it.write", null, ADMIN).statusCode()).isEqualTo(200);
                    awaitResult(gw, "/v1/journal", "write_not_shadowed", 1);
                    awaitResult(gw, "/v1/journal", "compared", 1);   // the read was copied (both stacks' answers compared)
                    assertThat(entries(journald, "it.write")).as("nothing written on the shadow side").isEmpty();
                    String legacyToken = Files.readString(work.resolve("stacks").resolve(name).resolve("run/internal-token")).strip();
                    HttpResponse<String> legacyEntries = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 24)
                            + "/v1/journal/entries?type=it.write")).header("X-Lakehouse-Internal-Token", legacyToken).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(Json.mapper().readTree(legacyEntries.body()).path("entries")).as("legacy served the write").hasSize(1);
                    String optIn = run(ops, "scripts/cutover/cutover.sh", "shadow", "/v1/journal", "--legacy", legacyUrl, "--shadow-writes");
                    assertThat(optIn).as(optIn).startsWith("0\n").contains("WARNING", "writes are copied too");
                    assertThat(call(gw, "POST", "/v1/journal/entries", write, ADMIN).statusCode()).isEqualTo(201);
                    for (int i = 0; i < 100 && entries(journald, "it.write").isEmpty(); i++) {
                        Thread.sleep(50);
                    }
                    assertThat(entries(journald, "it.write")).as("opted in: the write ran on both stacks").hasSize(1);
                    assertThat(awaitJournal(journald, "cutover.shadow", 3).toString()).contains("\"shadow_writes\":true", "\"operator\"");

                    String tooSoon = run(ops, "scripts/cutover/cutover.sh", "switch", "/v1/validate", "--min-parity", "1.0",
                            "--min-compared", "10");
                    assertThat(tooSoon).as("three differences: not 1.0").startsWith("1\n").contains("parity");
                    phase.set("switched");
                    String[] switchCmd = {"scripts/cutover/cutover.sh", "switch", "/v1/validate", "--min-parity", "0.9", "--min-compared", "30",
                            "--smoke", "POST /v1/validate " + fill("W000010"), "--gateways", gw + "," + gw2 + "," + gw3};
                    String version0 = Json.mapper().readTree(call(gw, "GET", "/admin/routes", null, ADMIN).body()).path("version").asText();
                    stack.daemon("journald").stop(Duration.ofSeconds(10));
                    String refused = run(ops, switchCmd);
                    assertThat(refused).as("journald down: refused, nothing changed").startsWith("1\n").contains("journal_unavailable");
                    assertThat(Json.mapper().readTree(call(gw, "GET", "/admin/routes", null, ADMIN).body()).path("version").asText())
                            .isEqualTo(version0);
                    String[] forced = java.util.Arrays.copyOf(switchCmd, switchCmd.length + 1);
                    forced[switchCmd.length] = "--force";
                    String sw = run(ops, forced);
                    assertThat(sw).as(sw).startsWith("0\n").contains("cutover.switch /v1/validate", "FORCED", "all 3 gateway replicas run table");
                    stack.daemon("journald").start(Duration.ofSeconds(60));
                    JsonNode switched = awaitJournal(journald, "cutover.switch", 1);
                    assertThat(switched.toString()).as("journaled once journald answered").contains("\"forced\":true", "\"match_rate\"");
                    String newVersion = Json.mapper().readTree(call(gw, "GET", "/admin/routes", null, ADMIN).body()).path("version").asText();
                    for (URI replica : List.of(gw2, gw3)) {
                        assertThat(Json.mapper().readTree(call(replica, "GET", "/admin/routes", null, ADMIN).body()).path("version").asText())
                                .as("every replica converged on the new table").isEqualTo(newVersion);
                    }
                    assertThat(call(gw, "POST", "/v1/validate", fill("W002500"), USER).body()).as("served here now").contains("phantom_worker");
                    String status = run(ops, "scripts/cutover/cutover.sh", "status", "--gateways", gw + "," + gw2 + "," + gw3);
                    assertThat(status).contains("/v1/validate", "shadow", "local", gw2.toString()).doesNotContain("differs");

                    // a rollback to a dead stack is refused; the table stays
                    String dead = run(ops, "scripts/cutover/cutover.sh", "rollback", "/v1/validate", "--legacy", "http://127.0.0.1:9");
                    assertThat(dead).as(dead).startsWith("1\n").contains("refused", "does not answer");
                    assertThat(call(gw, "POST", "/v1/validate", fill("W002500"), USER).body()).as("still served here").contains("phantom_worker");
                    Thread.sleep(1000);

                    // a bad file, and SIGHUP: refused, the table in force stays
                    String version = Json.mapper().readTree(call(gw, "GET", "/admin/routes", null, ADMIN).body()).path("version").asText();
                    String good = Files.readString(routes);
                    Files.writeString(routes, "{\"routes\":[{\"prefix\":\"/v1/validate\",\"target\":\"gopher://x\"}]}");
                    assertThat(run(Map.of(), "kill", "-HUP", Long.toString(stack.daemon("gateway").pid()))).startsWith("0\n");
                    Thread.sleep(500);
                    assertThat(Json.mapper().readTree(call(gw, "GET", "/admin/routes", null, ADMIN).body()).path("version").asText())
                            .isEqualTo(version);
                    Files.writeString(routes, good);

                    phase.set("rolled back");
                    String back = run(ops, "scripts/cutover/cutover.sh", "rollback", "/v1/validate");
                    assertThat(back).as(back).startsWith("0\n").contains("cutover.rollback /v1/validate");
                    assertThat(call(gw, "POST", "/v1/validate", fill("W002500"), USER).body()).as("legacy serves again")
                            .doesNotContain("phantom_worker");
                    Thread.sleep(1000);
                } finally {
                    running.set(false);
                    load.join();
                }
                assertThat(errors).as("the load saw no error in any phase").isEmpty();
                latency.forEach((ph, l) -> System.out.printf("cutover load, %-14s %5d requests, p50 %.2f ms, p99 %.2f ms%n", ph, l.size(),
                        pct(l, 0.5), pct(l, 0.99)));

                JsonNode verify = Json.mapper().readTree(call(stack.url("journald"), "GET", "/v1/journal/verify", null, null).body());
                assertThat(verify.path("ok").asBoolean()).as(verify.toString()).isTrue();
                String types = call(stack.url("journald"), "GET", "/v1/journal/entries?limit=1000", null, null).body();
                assertThat(types).contains("\"cutover.shadow\"", "\"cutover.diff\"", "\"cutover.switch\"", "\"cutover.rollback\"",
                        "\"cutover.reload\"", "\"file-watch\"", "\"before_version\"", "\"after_version\"");
            } finally {
                run(legacyEnv, "scripts/cutover/stack.sh", "down", "--name", name);
            }
        }
    }

    static double pct(List<Double> l, double q) {
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        return s.isEmpty() ? 0 : s.get(Math.min(s.size() - 1, (int) (q * s.size())));
    }

    static JsonNode awaitCompared(URI gw, long n) throws Exception {
        JsonNode p = null;
        for (int i = 0; i < 600; i++) {
            p = Json.mapper().readTree(call(gw, "GET", "/admin/parity?route=/v1/validate", null, ADMIN).body()).path("routes").path(0);
            if (p.path("results").path("match").asLong() + p.path("results").path("diff").asLong() >= n) {
                return p;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not " + n + " compared: " + p);
    }

    static JsonNode entries(URI journald, String type) throws Exception {
        return Json.mapper().readTree(call(journald, "GET", "/v1/journal/entries?type=" + type, null, null).body()).path("entries");
    }

    static JsonNode awaitResult(URI gw, String route, String result, long n) throws Exception {
        JsonNode p = null;
        for (int i = 0; i < 200; i++) {
            p = Json.mapper().readTree(call(gw, "GET", "/admin/parity?route=" + route, null, ADMIN).body()).path("routes").path(0);
            long got = result.equals("compared") ? p.path("results").path("match").asLong() + p.path("results").path("diff").asLong()
                    : p.path("results").path(result).asLong();
            if (got >= n) {
                return p;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + n + " " + result + ": " + p);
    }

    static JsonNode awaitJournal(URI journald, String type, int n) throws Exception {
        JsonNode entries = null;
        for (int i = 0; i < 200; i++) {
            entries = Json.mapper().readTree(call(journald, "GET", "/v1/journal/entries?type=" + type, null, null).body()).path("entries");
            if (entries.size() >= n) {
                return entries;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not " + n + " " + type + " entries: " + entries);
    }
}
