package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of a purge, one test for each way a daemon purges: vectord (WAL deletes, compaction, snapshot),
 * observerd (masking in place: distilld's files and embedd's cache are masked by the same {@code FileErasure}),
 * validatord (the roster's Parquet rewrite), truthd (its log rewritten whole: pathwayd's versions log goes through the
 * same {@code JsonLog.rewrite}) and journald (segments rewritten with payloads dropped, the chain kept) — each restarts
 * whole, every other subject's data is what it was, and the erasure asked again finishes clean. Then the coordinator: the gateway
 * killed while its job waits for a daemon that is down resumes the job when it starts again.
 */
class ErasureCrashIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Stack stack;
    /** {@code -Derasure.crash.scale=N}: N × (50,000 workers, 10,000 points, 50,000 events); 1 in CI, more by hand. */
    static final int SCALE = Integer.getInteger("erasure.crash.scale", 1);
    static final int WORKERS = 50_000 * SCALE;
    static final int POINTS = 10_000 * SCALE;
    static final int EVENTS = 50_000 * SCALE;
    static final int CLAIMS = 20_000 * SCALE;
    static final int ENTRIES = 1_000 * SCALE;
    static final String BODY = "{\"erasure_id\":\"er-crash\",\"identifiers\":[\"W000123\",\"614-555-0123\",\"Ana Ruizcrash\"]}";

    @BeforeAll
    static void start() throws Exception {
        Path roster = Stack.generateRoster(WORKERS);
        stack = Stack.builder()
                .daemon(DaemonId.OBSERVERD)
                .daemon(DaemonId.JOURNALD)
                .daemon(DaemonId.VECTORD, Map.of("VECTORD_SNAPSHOT_INTERVAL", "0"))
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                .daemon(DaemonId.TRUTHD)
                .daemon(DaemonId.GATEWAY, Map.of("GATEWAY_DAEMONS", "observerd,journald,vectord,validatord,truthd,gateway"))
                .start();
        URI vectord = stack.url("vectord");
        assertThat(send(vectord, "PUT", "/v1/indexes/crash", "{\"dims\":64,\"metric\":\"cosine\"}").statusCode()).isEqualTo(201);
        Random rnd = new Random(3);
        for (int b = 0; b < POINTS / 1000; b++) {
            StringBuilder sb = new StringBuilder("{\"points\":[");
            for (int i = 0; i < 1000; i++) {
                int n = b * 1000 + i;
                sb.append(i == 0 ? "" : ",").append("{\"id\":\"p").append(n).append("\",\"vector\":[");
                for (int d = 0; d < 64; d++) {
                    sb.append(d == 0 ? "" : ",").append(rnd.nextFloat() - 0.5f);
                }
                String text = n % 5000 == 17 ? "Ana Ruizcrash, W000123, 614-555-0123" : "worker W" + String.format("%06d", 1000 + n % 9000) + " note " + n;
                sb.append("],\"payload\":{\"doc_id\":\"d").append(n).append("\",\"text\":\"").append(text).append("\"}}");
            }
            assertThat(send(vectord, "POST", "/v1/indexes/crash/points", sb.append("]}").toString()).statusCode()).isEqualTo(200);
        }
        URI observerd = stack.url("observerd");
        for (int b = 0; b < EVENTS / 1000; b++) {
            StringBuilder sb = new StringBuilder("{\"events\":[");
            for (int i = 0; i < 1000; i++) {
                int n = b * 1000 + i;
                String text = n % 10_000 == 5 ? "call Ana Ruizcrash at 614-555-0123" : "call W" + String.format("%06d", 1000 + n % 9000) + " at 937-555-" + (1000 + n % 9000);
                sb.append(i == 0 ? "" : ",").append("{\"event_id\":\"c").append(n).append("\",\"ts\":\"2026-12-0").append(1 + n % 3)
                        .append("T10:00:00Z\",\"kind\":\"chat.call\",\"payload\":{\"text\":\"").append(text).append("\"}}");
            }
            assertThat(send(observerd, "POST", "/v1/observe/events", sb.append("]}").toString()).statusCode()).isEqualTo(202);
        }
        URI truthd = stack.url("truthd");
        for (int b = 0; b < CLAIMS / 500; b++) {
            StringBuilder sb = new StringBuilder("{\"claims\":[");
            for (int i = 0; i < 500; i++) {
                int n = b * 500 + i;
                boolean hers = n % 4000 == 9;
                sb.append(i == 0 ? "" : ",").append("{\"subject\":\"worker:W").append(hers ? "000123" : String.format("%06d", 1000 + n % 9000))
                        .append("\",\"field\":\"").append(n % 2 == 0 ? "phone" : "status").append("\",\"value\":\"")
                        .append(hers ? "614-555-0123" : "v" + n).append("\",\"source\":\"crm\",\"observed_at\":\"2026-11-")
                        .append(String.format("%02d", 1 + n % 28)).append("T00:00:00Z\"}");
            }
            assertThat(send(truthd, "POST", "/v1/truth/claims", sb.append("]}").toString()).statusCode()).isIn(200, 201);
        }
        URI journald = stack.url("journald");
        for (int n = 0; n < ENTRIES; n++) {
            String who = n % 200 == 7 ? "Ana Ruizcrash, 614-555-0123" : "worker W" + String.format("%06d", 1000 + n);
            assertThat(send(journald, "POST", "/v1/journal/entries", "{\"type\":\"roster.note\",\"actor\":\"crash-it\",\"data\":{\"note\":\""
                    + who + " moved to night shifts\"}}").statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Sends the erasure, kills the daemon {@code afterMs} later (whatever it is doing), restarts it. */
    static void killDuringPurge(ManagedDaemon d, String path, long afterMs) throws Exception {
        var pending = HTTP.sendAsync(HttpRequest.newBuilder(d.url().resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(afterMs);
        assertThat(d.kill9()).isEqualTo(137);
        HttpResponse<String> answered = pending.handle((r, e) -> r).join();
        System.out.println(d.name() + " killed " + afterMs + " ms into its erasure: " + (answered == null ? "before it answered (mid-purge)"
                : "after it answered " + answered.statusCode()));
        d.start(Stack.READY_TIMEOUT);
    }

    static JsonNode eraseAgain(ManagedDaemon d, String path) throws Exception {
        HttpResponse<String> r = send(d.url(), "POST", path, BODY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode out = json(r);
        assertThat(out.path("scan").path("matches").asLong()).as(d.name() + ": " + r.body()).isZero();
        return out;
    }

    @Test
    void vectord_killedMidPurge_restartsWhole_othersIdentical_andTheRerunFinishesClean() throws Exception {
        ManagedDaemon vectord = stack.daemon("vectord");
        Map<String, String> others = new HashMap<>();
        for (int n = 0; n < POINTS; n += 997) {
            if (n % 5000 != 17) {
                others.put("p" + n, send(vectord.url(), "GET", "/v1/indexes/crash/points/p" + n, null).body());
            }
        }
        killDuringPurge(vectord, "/v1/indexes/erasures", 250);
        for (var e : others.entrySet()) {
            assertThat(json(send(vectord.url(), "GET", "/v1/indexes/crash/points/" + e.getKey(), null))).as(e.getKey())
                    .isEqualTo(dev.lakehouse.common.Json.mapper().readTree(e.getValue()));
        }
        assertThat(json(send(vectord.url(), "GET", "/v1/indexes/crash", null)).path("count").asLong()).isBetween(POINTS - POINTS / 5000L, (long) POINTS);
        eraseAgain(vectord, "/v1/indexes/erasures");
        assertThat(json(send(vectord.url(), "GET", "/v1/indexes/crash", null)).path("count").asLong()).isEqualTo(POINTS - POINTS / 5000L);
        assertThat(dev.lakehouse.common.testing.DataGrep.files(stack.dataRoot().resolve("vectord"), List.of("Ruizcrash", "W000123", "5550123"))).isEmpty();
    }

    @Test
    void observerd_killedMidMasking_restartsWhole_othersLinesIdentical_andTheRerunFinishesClean() throws Exception {
        ManagedDaemon observerd = stack.daemon("observerd");
        Path events = stack.dataRoot().resolve("observerd/events");
        Map<String, List<String>> before = otherLines(events);
        killDuringPurge(observerd, "/v1/observe/erasures", 60);
        assertThat(otherLines(events)).isEqualTo(before);
        eraseAgain(observerd, "/v1/observe/erasures");
        assertThat(otherLines(events)).isEqualTo(before);
        long calls = 0;
        for (JsonNode day : json(send(observerd.url(), "GET", "/v1/observe/stats", null)).path("days")) {
            calls += day.path("kinds").path("chat.call").asLong();
        }
        assertThat(calls).as("every seeded event still there (truthd adds truth.resolve events of its own)").isEqualTo(EVENTS);
    }

    @Test
    void validatord_killedMidRosterRewrite_restartsWhole_othersIdentical_andTheRerunFinishesClean() throws Exception {
        ManagedDaemon validatord = stack.daemon("validatord");
        Map<String, String> others = new HashMap<>();
        for (int n = 1; n <= WORKERS; n += 997) {
            String id = String.format("W%06d", n);
            if (!id.equals("W000123")) {
                others.put(id, send(validatord.url(), "GET", "/v1/roster/workers/" + id, null).body());
            }
        }
        killDuringPurge(validatord, "/v1/roster/erasures", 300);
        for (var e : others.entrySet()) {
            assertThat(send(validatord.url(), "GET", "/v1/roster/workers/" + e.getKey(), null).body()).isEqualTo(e.getValue());
        }
        assertThat(eraseAgain(validatord, "/v1/roster/erasures").path("workers_removed").asInt()).isBetween(0, 1);
        assertThat(send(validatord.url(), "GET", "/v1/roster/workers/W000123", null).statusCode()).isEqualTo(404);
        assertThat(json(send(validatord.url(), "GET", "/v1/roster/stats", null)).path("workers").asInt()).isEqualTo(WORKERS - 1);
    }

    @Test
    void truthd_killedMidLogRewrite_restartsWhole_othersIdentical_andTheRerunFinishesClean() throws Exception {
        ManagedDaemon truthd = stack.daemon("truthd");
        Map<String, String> others = new HashMap<>();
        for (int n = 1000; n < 10_000; n += 97) {
            String subject = "worker:W" + String.format("%06d", n);
            others.put(subject, send(truthd.url(), "GET", "/v1/truth/subjects/" + subject, null).body());
        }
        killDuringPurge(truthd, "/v1/truth/erasures", 80);
        for (var e : others.entrySet()) {
            assertThat(send(truthd.url(), "GET", "/v1/truth/subjects/" + e.getKey(), null).body()).as(e.getKey()).isEqualTo(e.getValue());
        }
        eraseAgain(truthd, "/v1/truth/erasures");
        assertThat(send(truthd.url(), "GET", "/v1/truth/subjects/worker:W000123", null).statusCode()).isEqualTo(404);
        for (var e : others.entrySet()) {
            assertThat(send(truthd.url(), "GET", "/v1/truth/subjects/" + e.getKey(), null).body()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void journald_killedMidSegmentRewrite_restartsWhole_theChainVerifies_othersIdentical() throws Exception {
        ManagedDaemon journald = stack.daemon("journald");
        List<JsonNode> before = othersEntries(journald);
        killDuringPurge(journald, "/v1/journal/erasures", 30);
        assertThat(json(send(journald.url(), "GET", "/v1/journal/verify", null)).path("ok").asBoolean()).isTrue();
        assertThat(othersEntries(journald)).isEqualTo(before);
        eraseAgain(journald, "/v1/journal/erasures");
        JsonNode verify = json(send(journald.url(), "GET", "/v1/journal/verify", null));
        assertThat(verify.path("ok").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("erased").asLong()).as(verify.toString()).isEqualTo(ENTRIES / 200);
        assertThat(othersEntries(journald)).isEqualTo(before);
    }

    /** The seeded entries that do not name her, as journald returns them. */
    static List<JsonNode> othersEntries(ManagedDaemon journald) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : json(send(journald.url(), "GET", "/v1/journal/entries?type=roster.note&limit=10000", null)).path("entries")) {
            if (!e.toString().contains("Ruizcrash") && !e.has("erased")) {
                out.add(e);
            }
        }
        assertThat(out).hasSize(ENTRIES - ENTRIES / 200);
        return out;
    }

    @Test
    void theGateway_killedWhileItsJobWaits_resumesTheJobWhenItStartsAgain() throws Exception {
        ManagedDaemon vectord = stack.daemon("vectord");
        ManagedDaemon gateway = stack.daemon("gateway");
        vectord.stop(Stack.STOP_GRACE);
        HttpResponse<String> r = send(gateway.url(), "POST", "/v1/privacy/erasures", "{\"identifiers\":[\"Ana Ruizcrash\",\"614-555-0123\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = json(r).path("id").asText();
        JsonNode waiting = await(gateway, id, j -> j.path("steps").path("vectord").path("state").asText().equals("waiting")
                && j.path("steps").path("validatord").path("state").asText().equals("done"));
        assertThat(waiting.path("state").asText()).isEqualTo("waiting");
        assertThat(gateway.kill9()).isEqualTo(137);
        vectord.start(Stack.READY_TIMEOUT);
        gateway.start(Stack.READY_TIMEOUT);
        JsonNode done = await(gateway, id, j -> j.path("state").asText().equals("done"));
        assertThat(done.path("proof").path("clean").asBoolean()).as(done.toString()).isTrue();
    }

    static JsonNode await(ManagedDaemon gateway, String id, java.util.function.Predicate<JsonNode> until) throws Exception {
        JsonNode j = null;
        for (int i = 0; i < 1200; i++) {
            j = json(send(gateway.url(), "GET", "/v1/privacy/erasures/" + id, null));
            if (until.test(j)) {
                return j;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("erasure " + id + ": " + j);
    }

    /** Each day file's lines that do not name her, in order. */
    static Map<String, List<String>> otherLines(Path dir) throws Exception {
        Map<String, List<String>> out = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                List<String> keep = new ArrayList<>();
                for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!l.contains("Ruizcrash") && !l.contains("****")) {
                        keep.add(l);
                    }
                }
                out.put(f.getFileName().toString(), keep);
            }
        }
        return out;
    }
}
