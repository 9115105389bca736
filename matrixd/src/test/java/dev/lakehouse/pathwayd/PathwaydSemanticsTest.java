package dev.lakehouse.pathwayd;

import static dev.lakehouse.common.testing.TestHttp.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.StubServer;
import dev.lakehouse.common.testing.TestHttp;
import dev.lakehouse.matrixd.FakePeers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What Mem0's and Graphiti's users expect of pathwayd, against the running daemon (in process, over local embedd,
 * vectord and journald): reopen, superseding across valid time (the four cases of docs/pathwayd.md), listing with
 * paging and metadata filters, metadata filters in search, and a hard delete that leaves no text in the log, the
 * indexes or the journal — also after a restart.
 */
class PathwaydSemanticsTest {
    @TempDir
    static Path dir;
    static DaemonServer embedd;
    static FakePeers.Vectord vectord;
    static HttpServer journald;
    static final List<JsonNode> JOURNAL = new CopyOnWriteArrayList<>();
    static DaemonServer pathwayd;

    @BeforeAll
    static void start() throws Exception {
        embedd = FakePeers.wordsEmbedd(new AtomicInteger());
        vectord = new FakePeers.Vectord();
        journald = StubServer.start(x -> {
            JOURNAL.add(Json.mapper().readTree(x.getRequestBody().readAllBytes()));
            StubServer.answer(x, 201, "{\"seq\":" + JOURNAL.size() + "}");
        });
        pathwayd = startPathwayd();
    }

    static DaemonServer startPathwayd() throws Exception {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_PATHWAYD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_EMBEDD_URL", "http://127.0.0.1:" + embedd.port(), "LAKEHOUSE_VECTORD_URL", vectord.url(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9", "LAKEHOUSE_JOURNALD_URL", StubServer.url(journald),
                "PATHWAYD_INDEX_WAIT", "5s"));
        DaemonServer s = PathwaydMain.builder(PathwaydConfig.from(env), env).embedded().start();
        for (int i = 0; i < 400 && new TestHttp(s::port).get("/ready").statusCode() != 200; i++) {
            Thread.sleep(25);
        }
        return s;
    }

    @AfterAll
    static void stop() {
        pathwayd.stop();
        embedd.stop();
        vectord.server.stop();
        journald.stop(0);
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

    static List<String> ids(JsonNode answer, String list) {
        List<String> ids = new ArrayList<>();
        answer.path(list).forEach(h -> ids.add(h.path("id").asText()));
        return ids;
    }

    static List<String> searchIds(String body) throws Exception {
        return ids(ok("POST", "/v1/memory/search", body, 200), "hits");
    }

    @Test
    void aClosedMemory_isReopened_withAReason_andSearchFindsItAgain() throws Exception {
        add("{\"id\":\"ro-a\",\"text\":\"Gus prefers the Dayton warehouse\",\"user\":\"W000701\",\"valid_from\":\"2026-01-01T00:00:00Z\"}");
        JsonNode b = add("{\"id\":\"ro-b\",\"text\":\"Gus prefers the Akron warehouse\",\"user\":\"W000701\","
                + "\"valid_from\":\"2026-06-01T00:00:00Z\",\"supersedes\":[\"ro-a\"]}");
        assertThat(b.path("superseded").get(0).path("valid_to").asText()).isEqualTo("2026-06-01T00:00:00Z");
        ok("DELETE", "/v1/memory/ro-b", null, 200);
        String q = "{\"query\":\"Gus prefers warehouse\",\"filter\":{\"user\":\"W000701\"}}";
        assertThat(searchIds(q)).as("B deleted, A still closed").isEmpty();
        JsonNode reopened = ok("POST", "/v1/memory/ro-a/reopen", "{\"reason\":\"the move to Akron fell through\",\"expected_version\":2}",
                200).path("memory");
        assertThat(reopened.path("change").asText()).isEqualTo("reopened");
        assertThat(reopened.path("version").asInt()).isEqualTo(3);
        assertThat(reopened.has("valid_to")).isFalse();
        assertThat(reopened.path("reason").asText()).isEqualTo("the move to Akron fell through");
        assertThat(reopened.path("valid_from").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(searchIds(q)).containsExactly("ro-a");
        // a PUT with "valid_to": null reopens too; one that leaves valid_to out keeps it
        add("{\"id\":\"ro-c\",\"text\":\"Gus works until June\",\"valid_from\":\"2026-01-01T00:00:00Z\",\"valid_to\":\"2026-06-01T00:00:00Z\"}");
        assertThat(ok("PUT", "/v1/memory/ro-c", "{\"text\":\"Gus works until June, maybe longer\"}", 200).path("memory")
                .path("valid_to").asText()).isEqualTo("2026-06-01T00:00:00Z");
        JsonNode put = ok("PUT", "/v1/memory/ro-c", "{\"text\":\"Gus works on\",\"valid_to\":null}", 200).path("memory");
        assertThat(put.path("change").asText()).isEqualTo("reopened");
        assertThat(put.has("valid_to")).isFalse();
        // bad: a deleted memory, an open one, a stale version, no reason, control characters, an unknown memory
        assertProblem(send("POST", "/v1/memory/ro-b/reopen", "{\"reason\":\"undo\"}"), 409, "memory_deleted", "cannot reopen");
        assertProblem(send("POST", "/v1/memory/ro-a/reopen", "{\"reason\":\"again\"}"), 409, "memory_open", "holds already");
        ok("PUT", "/v1/memory/ro-a", "{\"text\":\"Gus prefers Dayton\",\"valid_to\":\"2026-09-01T00:00:00Z\"}", 200);
        assertProblem(send("POST", "/v1/memory/ro-a/reopen", "{\"reason\":\"x\",\"expected_version\":3}"), 409, "version_conflict", "4");
        assertProblem(send("POST", "/v1/memory/ro-a/reopen", "{}"), 400, "missing_field", "reason");
        assertProblem(send("POST", "/v1/memory/ro-a/reopen", "{\"reason\":\"a\\u0007b\"}"), 400, "invalid_field", "reason");
        assertProblem(send("POST", "/v1/memory/nope/reopen", "{\"reason\":\"x\"}"), 404, "memory_not_found", "nope");
        assertProblem(send("POST", "/v1/memory/ro-a/reopen", "null"), 400, "invalid_json", "");
    }

    @Test
    void supersedingAcrossValidTime_followsGraphitisFourCases() throws Exception {
        String future = "{\"id\":\"gv-future\",\"text\":\"Dayton site starts at 7am\",\"valid_from\":\"2027-01-01T00:00:00Z\"}";
        add(future);
        // a fact valid now superseding a future-dated one: accepted (was 422); the new one ends where the old begins
        JsonNode now = add("{\"id\":\"gv-now\",\"text\":\"Dayton site starts at 6am\",\"valid_from\":\"2026-06-01T00:00:00Z\","
                + "\"supersedes\":[\"gv-future\"]}");
        assertThat(now.path("memory").path("valid_to").asText()).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(now.path("superseded").get(0).path("valid_from").asText()).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(now.path("superseded").get(0).has("valid_to")).as("the future-dated fact stays").isFalse();
        // the old holds from before: closed at the new one's start
        add("{\"id\":\"gv-old\",\"text\":\"Kent site starts at 5am\",\"valid_from\":\"2026-01-01T00:00:00Z\"}");
        JsonNode later = add("{\"id\":\"gv-later\",\"text\":\"Kent site starts at 8am\",\"valid_from\":\"2026-03-01T00:00:00Z\","
                + "\"supersedes\":[\"gv-old\"]}");
        assertThat(later.path("superseded").get(0).path("valid_to").asText()).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(later.path("memory").has("valid_to")).isFalse();
        // the same start: the old never holds
        add("{\"id\":\"gv-same\",\"text\":\"Troy site starts at 9am\",\"scope\":\"troy\",\"valid_from\":\"2026-02-01T00:00:00Z\"}");
        JsonNode same = add("{\"id\":\"gv-same2\",\"text\":\"Troy site starts at 10am\",\"scope\":\"troy\",\"valid_from\":\"2026-02-01T00:00:00Z\","
                + "\"supersedes\":[\"gv-same\"]}");
        assertThat(same.path("superseded").get(0).path("valid_to").asText()).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(searchIds("{\"query\":\"Troy site starts\",\"filter\":{\"scope\":\"troy\"},\"valid_at\":\"2026-02-15T00:00:00Z\"}")).containsExactly("gv-same2");
        // no overlap: linked, validity unchanged
        add("{\"id\":\"gv-past\",\"text\":\"Xenia site starts at 4am\",\"scope\":\"xenia\",\"valid_from\":\"2025-01-01T00:00:00Z\","
                + "\"valid_to\":\"2025-06-01T00:00:00Z\"}");
        JsonNode disjoint = add("{\"id\":\"gv-past2\",\"text\":\"Xenia site starts at 6am\",\"scope\":\"xenia\",\"valid_from\":\"2026-01-01T00:00:00Z\","
                + "\"supersedes\":[\"gv-past\"]}");
        assertThat(disjoint.path("superseded").get(0).path("valid_to").asText()).isEqualTo("2025-06-01T00:00:00Z");
        assertThat(disjoint.path("superseded").get(0).path("superseded_by").asText()).isEqualTo("gv-past2");
        assertThat(searchIds("{\"query\":\"Xenia site starts\",\"filter\":{\"scope\":\"xenia\"},\"valid_at\":\"2025-03-01T00:00:00Z\"}")).containsExactly("gv-past");
    }

    @Test
    void listing_pagesThroughAUsersMemories_filteredByTagsMetadataAndValidity() throws Exception {
        for (int i = 0; i < 5; i++) {
            add("{\"id\":\"ls-" + i + "\",\"text\":\"Hal note " + i + "\",\"user\":\"W000702\",\"kind\":\"" + (i == 4 ? "preference" : "fact")
                    + "\",\"metadata\":{\"team\":\"" + (i % 2 == 0 ? "nights" : "days") + "\",\"level\":" + i + "}}");
        }
        add("{\"id\":\"ls-other\",\"text\":\"someone else\",\"user\":\"W000703\"}");
        ok("DELETE", "/v1/memory/ls-3", null, 200);
        JsonNode p1 = ok("GET", "/v1/memory?user=W000702&limit=2", null, 200);
        assertThat(ids(p1, "memories")).containsExactly("ls-0", "ls-1");
        JsonNode p2 = ok("GET", "/v1/memory?user=W000702&limit=2&after=" + p1.path("next").asText(), null, 200);
        assertThat(ids(p2, "memories")).containsExactly("ls-2", "ls-4");
        assertThat(p2.path("next").isMissingNode() || p2.path("next").isNull()).isTrue();
        assertThat(ids(ok("GET", "/v1/memory?user=W000702&deleted=true", null, 200), "memories")).contains("ls-3");
        assertThat(ids(ok("GET", "/v1/memory?user=W000702&metadata.team=nights", null, 200), "memories"))
                .containsExactly("ls-0", "ls-2", "ls-4");
        assertThat(ids(ok("GET", "/v1/memory?user=W000702&metadata.team=nights&metadata.level=2", null, 200), "memories"))
                .containsExactly("ls-2");
        assertThat(ids(ok("GET", "/v1/memory?user=W000702&kind=preference", null, 200), "memories")).containsExactly("ls-4");
        assertThat(ids(ok("GET", "/v1/memory?user=W000702&user=W000703&kind=fact", null, 200), "memories"))
                .containsExactly("ls-0", "ls-1", "ls-2", "ls-other");
        assertThat(ids(ok("GET", "/v1/memory?user=W000702&valid_at=2001-01-01T00:00:00Z", null, 200), "memories")).isEmpty();
        // search with a metadata filter: the vector store knows no metadata, the log decides
        assertThat(searchIds("{\"query\":\"Hal note\",\"k\":10,\"filter\":{\"user\":\"W000702\",\"metadata\":{\"team\":\"days\"}}}"))
                .containsExactly("ls-1");
        assertThat(searchIds("{\"query\":\"Hal note\",\"filter\":{\"metadata\":{\"level\":4}}}")).containsExactly("ls-4");
    }

    static Stream<Arguments> badListsAndFilters() {
        return Stream.of(
                Arguments.of("GET", "/v1/memory?colour=red", null, "invalid_field", "colour"),
                Arguments.of("GET", "/v1/memory?limit=0", null, "invalid_field", "limit"),
                Arguments.of("GET", "/v1/memory?limit=1001", null, "invalid_field", "limit"),
                Arguments.of("GET", "/v1/memory?deleted=maybe", null, "invalid_field", "deleted"),
                Arguments.of("GET", "/v1/memory?after=%2F..", null, "invalid_field", "after"),
                Arguments.of("GET", "/v1/memory?valid_at=today", null, "invalid_time", "valid_at"),
                Arguments.of("GET", "/v1/memory?metadata.=x", null, "invalid_field", "metadata"),
                Arguments.of("GET", "/v1/memory?metadata.a%00b=x", null, "invalid_field", "metadata"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":{\"metadata\":[\"a\"]}}", "invalid_field",
                        "filter.metadata"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":{\"metadata\":{\"a\":{\"b\":1}}}}", "invalid_field",
                        "filter.metadata.a"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":{\"metadata\":{\"a\":null}}}", "invalid_field",
                        "filter.metadata.a"),
                Arguments.of("POST", "/v1/memory/search", "{\"query\":\"q\",\"filter\":{\"metadata\":{" + "\"k\":1,".repeat(0)
                        + String.join(",", java.util.stream.IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":1").toList()) + "}}}",
                        "invalid_field", "16"),
                Arguments.of("POST", "/v1/memory/ro-x/purge", "{\"reason\":\"\"}", "invalid_field", "reason"));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("badListsAndFilters")
    void badLists_andFilters_areProblemJson(String method, String path, String body, String code, String mentions) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() == 404) {   // a purge of an unknown memory is a 404 before its body is read
            assertProblem(r, 404, "memory_not_found", "ro-x");
        } else {
            assertProblem(r, 400, code, mentions);
        }
    }

    @Test
    void aPurge_removesEveryVersionsText_fromTheLogTheIndexesAndTheJournal_andStaysGoneAfterARestart() throws Exception {
        String secret = "Ivy Quill lives at 12 Zephyr Lane";
        add("{\"id\":\"pg-1\",\"text\":\"" + secret + "\",\"user\":\"W000704\"}");
        ok("PUT", "/v1/memory/pg-1", "{\"text\":\"" + secret + ", flat 2\"}", 200);
        add("{\"id\":\"pg-keep\",\"text\":\"Ivy's neighbour likes mornings\",\"user\":\"W000705\",\"supersedes\":[\"pg-1\"]}");
        Path log = dir.resolve("pathwayd/memories/versions.jsonl");
        assertThat(Files.readString(log)).contains("Zephyr");
        assertThat(pointsOf("pg-1")).isNotEmpty();
        JsonNode purged = ok("POST", "/v1/memory/pg-1/purge", "{\"reason\":\"erasure request 118\"}", 200);
        assertThat(purged.path("purged").path("versions").asInt()).isEqualTo(3);
        assertProblem(send("GET", "/v1/memory/pg-1", null), 404, "memory_not_found", "pg-1");
        assertProblem(send("GET", "/v1/memory/pg-1/history", null), 404, "memory_not_found", "pg-1");
        assertThat(Files.readString(log)).doesNotContain("Zephyr").contains("\"purged\"").contains("pg-keep");
        assertThat(ok("GET", "/v1/memory/pg-keep", null, 200).path("text").asText()).isEqualTo("Ivy's neighbour likes mornings");
        assertThat(pointsOf("pg-1")).as("current and history points of every version").isEmpty();
        assertThat(vectord.snapshots).as("vectord rewrites its files, dropping the WAL that held them").contains("memories",
                "memories_history");
        assertThat(searchIds("{\"query\":\"Ivy Quill lives Zephyr Lane\",\"as_of\":\"" + java.time.Instant.now() + "\"}")).doesNotContain("pg-1");
        long deadline = System.currentTimeMillis() + 10_000;
        while (JOURNAL.stream().noneMatch(e -> "memory.purge".equals(e.path("type").asText())) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        JsonNode entry = JOURNAL.stream().filter(e -> "memory.purge".equals(e.path("type").asText())).findFirst().orElseThrow();
        assertThat(entry.path("subject").asText()).isEqualTo("memory:pg-1");
        assertThat(entry.path("data").path("versions").asInt()).isEqualTo(3);
        assertThat(entry.toString()).doesNotContain("Zephyr").doesNotContain("erasure request");
        // the same id may be used again; a purge of a deleted memory works; an unknown one is a 404
        add("{\"id\":\"pg-1\",\"text\":\"a new memory under an old id\"}");
        ok("DELETE", "/v1/memory/pg-1", null, 200);
        assertThat(ok("POST", "/v1/memory/pg-1/purge", "{\"reason\":\"again\"}", 200).path("purged").path("versions").asInt()).isEqualTo(2);
        assertProblem(send("POST", "/v1/memory/pg-1/purge", "{\"reason\":\"again\"}"), 404, "memory_not_found", "pg-1");
        assertProblem(send("POST", "/v1/memory/pg-keep/purge", "{}"), 400, "missing_field", "reason");
        pathwayd.stop();
        pathwayd = startPathwayd();
        assertProblem(send("GET", "/v1/memory/pg-1", null), 404, "memory_not_found", "pg-1");
        assertThat(ok("GET", "/v1/memory/pg-keep/history", null, 200).path("supersedes").get(0).asText()).isEqualTo("pg-1");
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).doesNotContain("Zephyr");
    }


    @Test
    void anErasure_purgesEveryMemoryNamingThePerson_inOneRewrite_andLeavesOthersByteIdentical() throws Exception {
        add("{\"id\":\"er-a1\",\"text\":\"Jude Marlow prefers nights\",\"user\":\"W000801\"}");
        add("{\"id\":\"er-a2\",\"text\":\"call back on 614.555.0177\",\"scope\":\"client:acme\"}");
        add("{\"id\":\"er-a3\",\"text\":\"a note\",\"metadata\":{\"contact\":\"JUDE@EXAMPLE.COM\"}}");
        ok("PUT", "/v1/memory/er-a3", "{\"text\":\"a note, edited\"}", 200);
        add("{\"id\":\"er-b1\",\"text\":\"Kai Osei prefers days, call 614-555-0178\",\"user\":\"W000802\"}");
        Path log = dir.resolve("pathwayd/memories/versions.jsonl");
        List<String> others = Files.readAllLines(log).stream().filter(l -> l.contains("er-b1")).toList();
        JsonNode r = ok("POST", "/v1/memory/erasures", "{\"erasure_id\":\"er-t1\",\"identifiers\":[\"W000801\",\"Jude Marlow\","
                + "\"614-555-0177\",\"jude@example.com\"]}", 200);
        assertThat(r.path("memories_purged").asInt()).isEqualTo(3);
        assertThat(r.path("versions_purged").asInt()).isEqualTo(4);
        assertThat(r.path("indexed").asBoolean()).isTrue();
        String text = Files.readString(log);
        assertThat(text).doesNotContain("Jude").doesNotContain("0177").doesNotContainIgnoringCase("jude@example.com")
                .doesNotContain("W000801");
        others.forEach(o -> assertThat(text).contains(o));
        assertThat(pointsOf("er-a1")).isEmpty();
        assertThat(pointsOf("er-a3")).isEmpty();
        assertThat(pointsOf("er-b1")).isNotEmpty();
        assertThat(ok("GET", "/v1/memory/er-b1", null, 200).path("text").asText()).contains("Kai Osei");
        assertThat(ok("POST", "/v1/memory/erasures", "{\"erasure_id\":\"er-t2\",\"identifiers\":[\"W000801\"]}", 200)
                .path("memories_purged").asInt()).as("nothing left").isZero();
        assertProblem(send("POST", "/v1/memory/erasures", "{\"erasure_id\":\"er-t3\",\"identifiers\":[\"801\"]}"), 400,
                "invalid_field", "identifiers[0]");
        assertProblem(send("POST", "/v1/memory/erasures", "{\"erasure_id\":\"er-t3\",\"identifiers\":[\"Jude\"]}"), 400,
                "invalid_field", "single word");
        assertThat(send("POST", "/v1/memory/erasures", "{\"erasure_id\":\"er-t3\",\"identifiers\":[\"Jude\"]}").body())
                .doesNotContain("Jude");
    }

    /** Every point in any of the fake vectord's indexes that belongs to memory {@code id}. */
    static List<String> pointsOf(String id) {
        List<String> out = new ArrayList<>();
        vectord.indexes.values().forEach(points -> points.forEach(p -> {
            if (p.id().equals(id) || p.id().startsWith(id + "~")) {
                out.add(p.id());
            }
        }));
        return out;
    }
}
