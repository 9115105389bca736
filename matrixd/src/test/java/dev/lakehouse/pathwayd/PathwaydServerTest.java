package dev.lakehouse.pathwayd;

import dev.lakehouse.matrixd.FakePeers;

import static dev.lakehouse.common.testing.TestHttp.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pathwayd in-process, through its own builder, against a local embedd (vectors from words) and
 * vectord: versions, point-in-time reads, supersede, tombstones, search over the current and the
 * history index, playbooks, writes while vectord refuses them, restart, concurrency, and every
 * bad input by status and code.
 */
class PathwaydServerTest {
    @TempDir
    static Path dir;
    static DaemonServer embedd;
    static FakePeers.Vectord vectord;
    static DaemonServer pathwayd;
    static final AtomicInteger EMBEDS = new AtomicInteger();

    @BeforeAll
    static void start() {
        embedd = FakePeers.wordsEmbedd(EMBEDS);
        vectord = new FakePeers.Vectord();
        pathwayd = startPathwayd();
    }

    static DaemonServer startPathwayd() {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_PATHWAYD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_EMBEDD_URL", "http://127.0.0.1:" + embedd.port(), "LAKEHOUSE_VECTORD_URL", vectord.url(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9", "PATHWAYD_INDEX_WAIT", "5s"));
        return PathwaydMain.builder(PathwaydConfig.from(env), env).embedded().start();
    }

    @AfterAll
    static void stop() {
        pathwayd.stop();
        embedd.stop();
        vectord.server.stop();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(pathwayd::port).send(method, path, body);
    }

    static JsonNode ok(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return Json.mapper().readTree(r.body());
    }

    static JsonNode add(String body) throws Exception {
        return ok("POST", "/v1/memory", body, 201);
    }

    static List<String> ids(JsonNode searchAnswer) {
        List<String> ids = new ArrayList<>();
        searchAnswer.path("hits").forEach(h -> ids.add(h.path("id").asText()));
        return ids;
    }

    static JsonNode search(String body) throws Exception {
        return ok("POST", "/v1/memory/search", body, 200);
    }

    @Test
    void aMemory_isWritten_readBack_andFoundBySearch() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/memory", "{\"text\":\"Ana Ruiz prefers night shifts near Dayton\","
                + "\"user\":\"W000123\",\"scope\":\"client:acme\",\"metadata\":{\"source\":\"call\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode w = Json.mapper().readTree(r.body());
        String id = w.path("memory").path("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/v1/memory/" + id);
        assertThat(w.path("indexed").asBoolean()).isTrue();
        assertThat(w.path("memory").path("version").asInt()).isEqualTo(1);
        assertThat(w.path("memory").path("change").asText()).isEqualTo("created");
        assertThat(w.path("memory").path("kind").asText()).isEqualTo("fact");
        assertThat(w.path("memory").path("valid_from").asText()).isEqualTo(w.path("memory").path("recorded_at").asText());
        JsonNode got = ok("GET", "/v1/memory/" + id, null, 200);
        assertThat(got.path("text").asText()).isEqualTo("Ana Ruiz prefers night shifts near Dayton");
        assertThat(got.path("metadata").path("source").asText()).isEqualTo("call");
        JsonNode hits = search("{\"query\":\"night shifts Dayton\",\"k\":3,\"filter\":{\"user\":\"W000123\"}}");
        assertThat(hits.path("hits").get(0).path("id").asText()).isEqualTo(id);
        assertThat(hits.path("index").asText()).isEqualTo("current");
        assertThat(search("{\"query\":\"night shifts Dayton\",\"filter\":{\"user\":\"W999999\"}}").path("hits")).isEmpty();
        assertThat(vectord.created).contains("memories:64", "memories_history:64");
    }

    @Test
    void anUpdate_isANewVersion_andTheOldOneStaysReadableAsOfItsTime() throws Exception {
        JsonNode v1 = add("{\"text\":\"Bo's phone is 614-555-0101\",\"user\":\"W000200\"}").path("memory");
        String id = v1.path("id").asText();
        Instant between = Instant.parse(v1.path("recorded_at").asText()).plusNanos(500);
        JsonNode v2 = ok("PUT", "/v1/memory/" + id, "{\"text\":\"Bo's phone is 614-555-0199\",\"expected_version\":1}", 200)
                .path("memory");
        assertThat(v2.path("version").asInt()).isEqualTo(2);
        assertThat(v2.path("change").asText()).isEqualTo("updated");
        assertThat(v2.path("user").asText()).as("left out, so kept").isEqualTo("W000200");
        assertThat(ok("GET", "/v1/memory/" + id, null, 200).path("text").asText()).endsWith("0199");
        assertThat(ok("GET", "/v1/memory/" + id + "?as_of=" + between, null, 200).path("text").asText()).endsWith("0101");
        assertProblem(send("GET", "/v1/memory/" + id + "?as_of=2000-01-01T00:00:00Z", null), 404, "memory_not_found", "not recorded yet");
        JsonNode h = ok("GET", "/v1/memory/" + id + "/history", null, 200);
        assertThat(h.path("versions")).hasSize(2);
        assertThat(h.path("versions").get(0).path("superseded_at").asText()).isEqualTo(v2.path("recorded_at").asText());
        assertThat(h.path("versions").get(1).has("superseded_at")).isFalse();
        // search now sees the new text; as of before the update, the old one
        assertThat(search("{\"query\":\"phone 0199\",\"filter\":{\"user\":\"W000200\"}}").path("hits").get(0).path("version").asInt())
                .isEqualTo(2);
        JsonNode then = search("{\"query\":\"phone 0101\",\"filter\":{\"user\":\"W000200\"},\"as_of\":\"" + between + "\"}");
        assertThat(then.path("index").asText()).isEqualTo("history");
        assertThat(then.path("hits")).hasSize(1);
        assertThat(then.path("hits").get(0).path("memory").path("text").asText()).endsWith("0101");
        assertProblem(send("PUT", "/v1/memory/" + id, "{\"text\":\"x y\",\"expected_version\":1}"), 409, "version_conflict", "version 2");
    }

    @Test
    void supersede_closesTheOldFact_linksBothWays_andSearchFollowsWorldTime() throws Exception {
        JsonNode old = add("{\"text\":\"Acme night shift starts at 22:00\",\"scope\":\"client:acme-sup\","
                + "\"valid_from\":\"2026-01-01T00:00:00Z\"}").path("memory");
        String oldId = old.path("id").asText();
        JsonNode w = add("{\"id\":\"acme-night-2\",\"text\":\"Acme night shift starts at 23:00\",\"scope\":\"client:acme-sup\","
                + "\"valid_from\":\"2026-06-01T00:00:00Z\",\"supersedes\":[\"" + oldId + "\"]}");
        assertThat(w.path("superseded")).hasSize(1);
        JsonNode closed = w.path("superseded").get(0);
        assertThat(closed.path("id").asText()).isEqualTo(oldId);
        assertThat(closed.path("change").asText()).isEqualTo("superseded");
        assertThat(closed.path("valid_to").asText()).isEqualTo("2026-06-01T00:00:00Z");
        assertThat(closed.path("superseded_by").asText()).isEqualTo("acme-night-2");
        assertThat(ok("GET", "/v1/memory/" + oldId + "/history", null, 200).path("superseded_by").get(0).asText())
                .isEqualTo("acme-night-2");
        assertThat(ok("GET", "/v1/memory/acme-night-2/history", null, 200).path("supersedes").get(0).asText()).isEqualTo(oldId);
        String q = "{\"query\":\"Acme night shift starts\",\"filter\":{\"scope\":\"client:acme-sup\"}";
        assertThat(ids(search(q + "}"))).containsExactly("acme-night-2");
        assertThat(ids(search(q + ",\"valid_at\":\"2026-03-01T00:00:00Z\"}"))).containsExactly(oldId);
        assertThat(search(q + ",\"valid_at\":\"2025-03-01T00:00:00Z\"}").path("hits")).isEmpty();
    }

    @Test
    void delete_writesATombstone_theHistoryStays_andNothingMoreCanBeWritten() throws Exception {
        JsonNode v1 = add("{\"text\":\"Cy does not drive forklifts\",\"user\":\"W000300\"}").path("memory");
        String id = v1.path("id").asText();
        JsonNode tomb = ok("DELETE", "/v1/memory/" + id, null, 200).path("memory");
        assertThat(tomb.path("change").asText()).isEqualTo("deleted");
        assertThat(tomb.path("version").asInt()).isEqualTo(2);
        assertProblem(send("GET", "/v1/memory/" + id, null), 410, "memory_deleted", "history");
        assertThat(ok("GET", "/v1/memory/" + id + "?as_of=" + v1.path("recorded_at").asText(), null, 200).path("version").asInt())
                .isEqualTo(1);
        assertThat(ok("GET", "/v1/memory/" + id + "/history", null, 200).path("versions")).hasSize(2);
        assertProblem(send("PUT", "/v1/memory/" + id, "{\"text\":\"back again\"}"), 409, "memory_deleted", "cannot update");
        assertProblem(send("DELETE", "/v1/memory/" + id, null), 409, "memory_deleted", "cannot delete");
        assertProblem(send("POST", "/v1/memory", "{\"text\":\"y z\",\"supersedes\":[\"" + id + "\"]}"), 409, "memory_deleted",
                "supersedes[0]");
        assertThat(search("{\"query\":\"drive forklifts\",\"filter\":{\"user\":\"W000300\"}}").path("hits")).isEmpty();
        assertThat(search("{\"query\":\"drive forklifts\",\"filter\":{\"user\":\"W000300\"},\"as_of\":\""
                + v1.path("recorded_at").asText() + "\"}").path("hits")).hasSize(1);
    }

    @Test
    void aPlaybook_isARoleTaggedMemory_thatMatrixdCanServeFromTheCurrentIndex() throws Exception {
        JsonNode pb = add("{\"kind\":\"playbook\",\"role\":\"Forklift Operator\",\"text\":\"Filled order O-9: two forklift "
                + "operators, night shift, Columbus\",\"playbook\":{\"order\":{\"order_id\":\"O-9\",\"headcount\":2},"
                + "\"workers\":[\"W000010\",\"W000011\"],\"outcome\":\"filled\"}}").path("memory");
        assertThat(pb.path("role").asText()).as("kept in the gate's form").isEqualTo("forklift operator");
        assertThat(pb.path("playbook").path("workers")).hasSize(2);
        JsonNode hits = search("{\"query\":\"forklift operators night shift\",\"filter\":{\"kind\":\"playbook\",\"role\":\"FORKLIFT operator\"}}");
        assertThat(ids(hits)).contains(pb.path("id").asText());
        FakePeers.Vectord.Point point = vectord.indexes.get("memories").stream()
                .filter(p -> p.id().equals(pb.path("id").asText())).findFirst().orElseThrow();
        assertThat(point.payload().path("doc_id").asText()).isEqualTo(pb.path("id").asText());
        assertThat(point.payload().path("role").asText()).isEqualTo("forklift operator");
        assertThat(point.payload().path("kind").asText()).isEqualTo("playbook");
        assertThat(point.payload().path("text").asText()).startsWith("Filled order O-9");
        Path spool = dir.resolve("pathwayd/observer-spool.jsonl");   // observerd is unreachable here: the event waits on disk
        boolean observed = false;
        for (int i = 0; i < 200 && !observed; i++) {
            observed = java.nio.file.Files.exists(spool) && java.nio.file.Files.readAllLines(spool).stream()
                    .anyMatch(l -> l.contains("\"memory.playbook\"") && l.contains(pb.path("id").asText()));
            Thread.sleep(observed ? 0 : 50);
        }
        assertThat(observed).as("the playbook is observed (memory.playbook) for distillation").isTrue();
    }

    @Test
    void writes_succeedWhileVectordRefusesThem_andSearchCatchesUp() throws Exception {
        vectord.refuseWrites = true;
        JsonNode w;
        try {
            w = ok("POST", "/v1/memory", "{\"text\":\"Dee holds a CDL-A license\",\"user\":\"W000400\"}", 201);
        } finally {
            vectord.refuseWrites = false;
        }
        assertThat(w.path("indexed").asBoolean()).as("vectord refused for the whole wait; the write is durable anyway").isFalse();
        String id = w.path("memory").path("id").asText();
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode found = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = send("POST", "/v1/memory/search", "{\"query\":\"CDL-A license\",\"filter\":{\"user\":\"W000400\"}}");
            // the point can be in vectord a moment before the indexer counts its entry done: wait for both
            if (r.statusCode() == 200 && Json.mapper().readTree(r.body()).path("hits").size() == 1
                    && Json.mapper().readTree(r.body()).path("pending").asLong() == 0) {
                found = Json.mapper().readTree(r.body());
                break;
            }
            Thread.sleep(200);
        }
        assertThat(found).as("search sees the write, and nothing pending, once vectord takes writes again").isNotNull();
        assertThat(found.path("hits").get(0).path("id").asText()).isEqualTo(id);
        assertThat(found.path("pending").asLong()).isZero();
    }

    @Test
    void concurrentWrites_toOneMemory_getEveryVersionNumberOnce_andExpectedVersionHasOneWinner() throws Exception {
        String id = add("{\"text\":\"counter 0\"}").path("memory").path("id").asText();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> versions = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                int n = i;
                versions.add(pool.submit(() -> ok("PUT", "/v1/memory/" + id, "{\"text\":\"counter " + (n + 1) + "\"}", 200)
                        .path("memory").path("version").asInt()));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : versions) {
                got.add(f.get());
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(2, 81).boxed().toList());
            List<Future<Integer>> races = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                races.add(pool.submit(() -> send("PUT", "/v1/memory/" + id, "{\"text\":\"race\",\"expected_version\":81}").statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : races) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnlyOnce(200).containsOnly(200, 409);
        } finally {
            pool.shutdown();
        }
        assertThat(ok("GET", "/v1/memory/" + id + "/history", null, 200).path("versions")).hasSize(82);
    }

    @Test
    void aRestart_replaysTheLog_toTheSameMemories() throws Exception {
        String id = add("{\"text\":\"Eve works weekends only\"}").path("memory").path("id").asText();
        ok("PUT", "/v1/memory/" + id, "{\"text\":\"Eve works weekends and Mondays\"}", 200);
        String before = ok("GET", "/v1/memory/" + id + "/history", null, 200).toString();
        pathwayd.stop();
        pathwayd = startPathwayd();
        long deadline = System.currentTimeMillis() + 10_000;
        while (send("GET", "/ready", null).statusCode() != 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ok("GET", "/v1/memory/" + id + "/history", null, 200).toString()).isEqualTo(before);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("POST", "/v1/memory", "null", 400, "invalid_json", "null"),
                Arguments.of("POST", "/v1/memory", "{}", 400, "missing_field", "text"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"\"}", 400, "invalid_field", "text"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\" \\u0000\\t\"}", 400, "invalid_field", "nothing to embed"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"" + "a".repeat(32_001) + "\"}", 400, "invalid_field", "32001"),
                Arguments.of("POST", "/v1/memory", "{\"text\":7}", 400, "invalid_field", "text"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"kind\":\"Fact!\"}", 400, "invalid_field", "kind"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"id\":\"a/b\"}", 400, "invalid_field", "id"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"role\":\"a\\u0007b\"}", 400, "invalid_field", "role"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"metadata\":[1]}", 400, "invalid_field", "metadata"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"valid_from\":\"yesterday\"}", 400, "invalid_time", "valid_from"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"valid_from\":\"2026-01-01T00:00Z\"}", 400, "invalid_time", "valid_from"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"valid_from\":\"2026-02-01T00:00:00Z\",\"valid_to\":\"2026-01-01T00:00:00Z\"}",
                        400, "invalid_range", "valid_to"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"valid_to\":\"2001-01-01T00:00:00Z\"}", 400, "invalid_range", "now"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"supersedes\":[\"nope-1\"]}", 422, "unknown_memory", "supersedes[0]"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"supersedes\":[\"a\",\"a\"]}", 400, "invalid_field", "supersedes[1]"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"id\":\"s\",\"supersedes\":[\"s\"]}", 400, "invalid_field", "itself"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"supersedes\":[null]}", 400, "missing_field", "supersedes[0]"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"kind\":\"playbook\",\"role\":\"welder\"}", 400, "missing_field", "playbook"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"kind\":\"playbook\",\"playbook\":{\"order\":{},\"workers\":[\"W1\"],"
                        + "\"outcome\":\"filled\"}}", 400, "missing_field", "role"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"playbook\":{\"order\":{},\"workers\":[\"W1\"],\"outcome\":\"f\"}}",
                        400, "invalid_field", "kind playbook only"),
                Arguments.of("POST", "/v1/memory", "{\"text\":\"t\",\"kind\":\"playbook\",\"role\":\"welder\",\"playbook\":{\"order\":[],"
                        + "\"workers\":[],\"outcome\":\"f\"}}", 400, "invalid_field", "order"),
                Arguments.of("GET", "/v1/memory/nope-2", null, 404, "memory_not_found", "nope-2"),
                Arguments.of("GET", "/v1/memory/x?as_of=2026-13-01T00:00:00Z", null, 400, "invalid_time", "as_of"),
                Arguments.of("PUT", "/v1/memory/nope-3", "{\"text\":\"t\"}", 404, "memory_not_found", "nope-3"),
                Arguments.of("DELETE", "/v1/memory/nope-4", null, 404, "memory_not_found", "nope-4"),
                Arguments.of("GET", "/v1/memory/nope-5/history", null, 404, "memory_not_found", "nope-5"),
                Arguments.of("PATCH", "/v1/memory/x", "{}", 405, "method_not_allowed", "PATCH"),
                Arguments.of("GET", "/v1/memory/search", null, 405, "method_not_allowed", "POST"),
                Arguments.of("POST", "/v1/memory/search", "{}", 400, "missing_field", "query"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"\\u200b\"}", 400, "invalid_field", "query"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"k\":0}", 400, "invalid_field", "k"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"k\":101}", 400, "invalid_field", "k"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":{\"state\":\"OH\"}}", 400, "invalid_field", "filter.state"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":{\"role\":{\"a\":1}}}", 400, "invalid_field", "filter.role"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":\"role\"}", 400, "invalid_field", "filter"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"as_of\":\"1 Dec 2026\"}", 400, "invalid_time", "as_of"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"valid_at\":\"" + "9".repeat(5_000) + "\"}", 400,
                        "invalid_time", "valid_at"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, int status, String code, String mentions) throws Exception {
        assertProblem(send(method, path, body), status, code, mentions);
    }

    @Test
    void theRulesThatNeedState_areProblemJsonToo() throws Exception {
        String id = add("{\"id\":\"rules-1\",\"text\":\"Fay is bilingual\",\"valid_from\":\"2026-05-01T00:00:00Z\"}")
                .path("memory").path("id").asText();
        assertProblem(send("POST", "/v1/memory", "{\"id\":\"rules-1\",\"text\":\"again\"}"), 409, "memory_exists", "rules-1");
        assertProblem(send("PUT", "/v1/memory/" + id, "{\"text\":\"t\",\"kind\":\"playbook\"}"), 400, "invalid_field", "kind");
        assertProblem(send("PUT", "/v1/memory/" + id, "{\"text\":\"t\",\"valid_to\":\"2026-04-01T00:00:00Z\"}"), 400, "invalid_range",
                "valid_to");
        assertProblem(send("POST", "/v1/memory/" + id + "/reopen", "{\"reason\":\"r\"}"), 409, "memory_open", "holds already");
        assertThat(ok("GET", "/v1/memory/" + id + "/history", null, 200).path("versions")).as("refused writes leave no version")
                .hasSize(1);
    }
}
