package dev.lakehouse.matrixd;

import static dev.lakehouse.common.testing.TestHttp.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * What Qdrant's users expect of a fused retrieve, against the running matrixd (in process, over a local vectord and
 * embedd, and a chatd that has no provider): one hit per point across corpora with every source, Qdrant's weighted RRF
 * and DBSF, group_by, score_threshold and offset, query_role canonicalized or refused with the closest roles, several
 * roles per query, a failing role extraction asked once, and playbooks served only inside their validity window.
 */
class MatrixdSemanticsTest {
    @TempDir
    static Path dir;
    static DaemonServer embedd;
    static FakePeers.Vectord vectord;
    static DaemonServer chatd;
    static final AtomicInteger CHATS = new AtomicInteger();
    static DaemonServer matrixd;

    @BeforeAll
    static void start() throws Exception {
        embedd = FakePeers.embedd(new AtomicInteger());
        chatd = DaemonServer.builder("fakechatd", EnvConfig.of(Map.of("LAKEHOUSE_FAKECHATD_PORT", "0")), 0).embedded()
                .routing(r -> r.post("/v1/chat", (req, res) -> {   // a chatd with no provider configured
                    CHATS.incrementAndGet();
                    res.status(503).header("Content-Type", "application/problem+json").send(Json.bytes(Map.of("status", 503,
                            "code", "no_provider", "detail", "no provider is configured")));
                }))
                .start();
        vectord = new FakePeers.Vectord();
        // docs: three chunks of one document, one of another; the same index serves two corpora
        vectord.add("docs", "d1~0", new float[] {0.9f, 0, 0, 0}, null, "{\"doc_id\":\"d1\",\"chunk\":0}");
        vectord.add("docs", "d1~1", new float[] {0.85f, 0, 0, 0}, null, "{\"doc_id\":\"d1\",\"chunk\":1}");
        vectord.add("docs", "d1~2", new float[] {0.8f, 0, 0, 0}, null, "{\"doc_id\":\"d1\",\"chunk\":2}");
        vectord.add("docs", "d2~0", new float[] {0.7f, 0, 0, 0}, null, "{\"doc_id\":\"d2\",\"chunk\":0}");
        vectord.add("docs", "d3~0", new float[] {0.6f, 0, 0, 0}, null, "{\"chunk\":0}");
        for (int i = 0; i < 6; i++) {
            vectord.add("other", "o" + i, new float[] {0.5f - i * 0.01f, 0, 0, 0}, null, "{\"doc_id\":\"o" + i + "\"}");
        }
        // playbooks with validity windows (as pathwayd writes them), for two roles
        vectord.add("pb", "pb-now", new float[] {0.9f, 0, 0, 0}, "forklift operator", "{\"valid_from\":\"2020-01-01T00:00:00Z\"}");
        vectord.add("pb", "pb-expired", new float[] {0.95f, 0, 0, 0}, "forklift operator",
                "{\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_to\":\"2021-01-01T00:00:00Z\"}");
        vectord.add("pb", "pb-future", new float[] {0.97f, 0, 0, 0}, "forklift operator", "{\"valid_from\":\"2999-01-01T00:00:00Z\"}");
        vectord.add("pb", "pb-weld", new float[] {0.8f, 0, 0, 0}, "welder", "{}");
        vectord.add("pb", "pb-janitor", new float[] {0.99f, 0, 0, 0}, "janitor", "{}");
        matrixd = startMatrixd();
        register("docs", "docs", "");
        register("docs-again", "docs", ",\"weight\":0.5");
        register("other", "other", "");
        register("playbooks", "pb", ",\"gate\":\"role\"");
        vectord.indexes.put("ingest", new java.util.concurrent.CopyOnWriteArrayList<>());
        register("ingest", "ingest", "");
    }

    /** matrixd on this class's data directory and peers, once ready. */
    static DaemonServer startMatrixd() throws Exception {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_MATRIXD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_EMBEDD_URL", "http://127.0.0.1:" + embedd.port(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_CHATD_URL", "http://127.0.0.1:" + chatd.port(), "MATRIXD_VECTORD_URLS", vectord.url()));
        DaemonServer s = MatrixdMain.builder(MatrixdConfig.from(env), env).embedded().start();
        for (int i = 0; i < 200 && new TestHttp(s::port).get("/ready").statusCode() != 200; i++) {
            Thread.sleep(25);
        }
        return s;
    }

    static void register(String name, String index, String extra) throws Exception {
        HttpResponse<String> r = send("PUT", "/v1/matrix/corpora/" + name, "{\"index\":\"" + index + "\",\"vectord_url\":\""
                + vectord.url() + "\"" + extra + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        matrixd.stop();
        embedd.stop();
        chatd.stop();
        vectord.server.stop();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(matrixd::port).send(method, path, body);
    }

    static JsonNode retrieve(String body) throws Exception {
        HttpResponse<String> r = send("POST", "/v1/matrix/retrieve", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    static List<String> ids(JsonNode hits) {
        List<String> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.path("id").asText()));
        return out;
    }

    @Test
    void aPointReachedThroughTwoCorpora_isOneHit_withBothSources_andTheSumOfItsScores() throws Exception {
        JsonNode r = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\",\"docs-again\"],\"k\":10}");
        assertThat(ids(r.path("hits"))).containsExactly("d1~0", "d1~1", "d1~2", "d2~0", "d3~0");
        JsonNode top = r.path("hits").get(0);
        assertThat(top.path("sources")).hasSize(2);
        assertThat(top.path("sources").findValuesAsText("corpus")).containsExactlyInAnyOrder("docs", "docs-again");
        // Qdrant's weighted RRF, k = 60: 1/60 at weight 1, plus 1/(1/0.5 + 59) = 1/61 at weight 0.5
        assertThat(top.path("score").asDouble()).isCloseTo(1.0 / 60 + 1.0 / 61, within(1e-6));
        assertThat(top.path("corpus").asText()).as("the best source on top").isEqualTo("docs");
        // a weight-0.5 corpus's first hit ranks like the other's second: fused alone with "other", docs-again's top hit
        // comes second, not after other's first ~60
        JsonNode mixed = retrieve("{\"query\":\"q\",\"corpora\":[\"docs-again\",\"other\"],\"k\":3}");
        assertThat(ids(mixed.path("hits"))).containsExactly("o0", "d1~0", "o1");
    }

    @Test
    void dbsf_isQdrants_andRrfKIsTheCallers() throws Exception {
        JsonNode r = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":5,\"fusion\":\"dbsf\"}");
        double[] raw = {0.9, 0.85, 0.8, 0.7, 0.6};
        double mean = 0;
        for (double x : raw) {
            mean += x / raw.length;
        }
        double var = 0;
        for (double x : raw) {
            var += (x - mean) * (x - mean) / (raw.length - 1);
        }
        double sd = Math.sqrt(var);
        assertThat(r.path("hits").get(0).path("score").asDouble()).isCloseTo((0.9 - (mean - 3 * sd)) / (6 * sd), within(1e-5));
        JsonNode k2 = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":2,\"rrf_k\":2}");
        assertThat(k2.path("hits").get(0).path("score").asDouble()).isCloseTo(0.5, within(1e-9));
        assertThat(k2.path("hits").get(1).path("score").asDouble()).isCloseTo(1.0 / 3, within(1e-6));
    }

    @Test
    void groupBy_givesOneGroupPerDocument_scoreThresholdAndOffsetPage() throws Exception {
        JsonNode g = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":2,\"group_by\":\"doc_id\",\"group_size\":2}");
        assertThat(g.path("groups")).hasSize(2);
        assertThat(g.path("groups").get(0).path("key").asText()).isEqualTo("d1");
        assertThat(ids(g.path("groups").get(0).path("hits"))).containsExactly("d1~0", "d1~1");
        assertThat(ids(g.path("groups").get(1).path("hits"))).containsExactly("d2~0");
        assertThat(ids(g.path("hits"))).as("each group's best").containsExactly("d1~0", "d2~0");
        JsonNode missing = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":5,\"group_by\":\"no_such_field\"}");
        assertThat(missing.path("groups")).isEmpty();
        assertThat(missing.path("ungrouped").asInt()).isEqualTo(5);
        JsonNode withD3 = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":5,\"group_by\":\"doc_id\"}");
        assertThat(withD3.path("ungrouped").asInt()).as("d3 has no doc_id").isEqualTo(1);
        JsonNode thr = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":10,\"fusion\":\"relative\",\"score_threshold\":0.5}");
        assertThat(ids(thr.path("hits"))).containsExactly("d1~0", "d1~1", "d1~2");
        JsonNode page2 = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":2,\"offset\":2}");
        assertThat(ids(page2.path("hits"))).containsExactly("d1~2", "d2~0");
        JsonNode groupPage = retrieve("{\"query\":\"q\",\"corpora\":[\"docs\"],\"k\":1,\"offset\":1,\"group_by\":\"doc_id\"}");
        assertThat(groupPage.path("groups").get(0).path("key").asText()).isEqualTo("d2");
    }

    @Test
    void queryRole_isCanonicalized_anUnknownOneIsRefusedWithTheClosest_andAQueryMayNameTwo() throws Exception {
        JsonNode driver = retrieve("{\"query\":\"q\",\"corpora\":[\"playbooks\"],\"query_role\":\"Forklift Driver\"}");
        assertThat(driver.path("query_role").asText()).isEqualTo("forklift operator");
        assertThat(ids(driver.path("hits"))).containsExactly("pb-now");
        HttpResponse<String> wizard = send("POST", "/v1/matrix/retrieve",
                "{\"query\":\"q\",\"corpora\":[\"playbooks\"],\"query_role\":\"Crane Operator\"}");
        assertProblem(wizard, 400, "unknown_role", "the closest: machine operator, packaging operator, forklift operator");
        JsonNode two = retrieve("{\"query\":\"a forklift driver or a welder for nights\",\"corpora\":[\"playbooks\"]}");
        assertThat(two.path("query_roles")).extracting(JsonNode::asText).containsExactly("forklift operator", "welder");
        assertThat(ids(two.path("hits"))).containsExactly("pb-now", "pb-weld");
        assertThat(two.path("role_source").asText()).isEqualTo("dictionary");
    }

    @Test
    void aFailingRoleExtraction_isAskedOnce_thenBacksOff_andSaysWhy() throws Exception {
        int before = CHATS.get();
        JsonNode first = retrieve("{\"query\":\"someone for the thing on tuesday\",\"corpora\":[\"playbooks\",\"docs\"]}");
        assertThat(first.path("skipped").get(0).path("detail").asText()).contains("failed").contains("no_provider");
        assertThat(first.path("hits")).isNotEmpty();
        retrieve("{\"query\":\"someone for the thing on tuesday\",\"corpora\":[\"playbooks\"]}");
        JsonNode other = retrieve("{\"query\":\"another unplaceable request\",\"corpora\":[\"playbooks\"]}");
        assertThat(other.path("skipped").get(0).path("detail").asText()).contains("backing off");
        assertThat(CHATS.get() - before).as("chatd asked once for three retrieves").isEqualTo(1);
    }

    @Test
    void playbooks_areServedOnlyInsideTheirValidityWindow() throws Exception {
        JsonNode r = retrieve("{\"query\":\"q\",\"corpora\":[\"playbooks\"],\"query_role\":\"forklift operator\",\"k\":5}");
        assertThat(ids(r.path("hits"))).containsExactly("pb-now");
    }


    static JsonNode awaitJob(String id) throws Exception {
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> r = send("GET", "/v1/matrix/jobs/" + id, null);
            assertThat(r.statusCode()).as("job " + id + ": " + r.body()).isEqualTo(200);
            JsonNode j = Json.mapper().readTree(r.body());
            if (!j.path("state").asText().equals("queued") && !j.path("state").asText().equals("running")) {
                return j;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void tenClientsReingestingOneDocument_leaveOneWholeVersion_neverInterleavedChunks() throws Exception {
        List<String> jobIds = java.util.Collections.synchronizedList(new ArrayList<>());
        vectord.writeMillis = 15;   // two jobs run at once: slow writes let them interleave when nothing serializes them
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(10)) {
            List<java.util.concurrent.Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int v = i;
                all.add(pool.submit(() -> {
                    String text = ("w" + v + "x marker text. ").repeat(40 * (v + 1));   // 1 to 12 chunks, by version
                    HttpResponse<String> r = send("POST", "/v1/matrix/corpora/ingest/documents",
                            "{\"documents\":[{\"id\":\"same\",\"text\":\"" + text + "\"}]}");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    jobIds.add(Json.mapper().readTree(r.body()).path("job_id").asText());
                    return null;
                }));
            }
            for (var f : all) {
                f.get();
            }
        }
        for (String id : jobIds) {
            assertThat(awaitJob(id).path("state").asText()).isEqualTo("done");
        }
        vectord.writeMillis = 0;
        List<FakePeers.Vectord.Point> chunks = vectord.indexes.get("ingest").stream().filter(p -> p.id().startsWith("same~")).toList();
        java.util.Set<String> versions = new java.util.TreeSet<>();
        chunks.forEach(p -> versions.add(p.payload().path("text").asText().replaceAll("(?s)^.*?(w\\dx).*$", "$1")));
        assertThat(versions).as("every chunk of one version").hasSize(1);
        int v = versions.iterator().next().charAt(1) - '0';
        int expected = new Chunker(800, 100).chunks(("w" + v + "x marker text. ").repeat(40 * (v + 1))).size();
        assertThat(chunks).as("exactly that version's chunks, none left by a longer one").hasSize(expected);
    }

    @Test
    void anAcceptedJob_isOnDiskBeforeThe202_andAJobLeftUnfinishedRunsAgainAtStart() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/matrix/corpora/ingest/documents",
                "{\"documents\":[{\"id\":\"durable-1\",\"text\":\"Night forklift operator wanted.\"}]}");
        String id = Json.mapper().readTree(r.body()).path("job_id").asText();
        assertThat(awaitJob(id).path("state").asText()).isEqualTo("done");
        Path jobs = dir.resolve("matrixd/jobs");
        assertThat(jobs.resolve(id + ".done.json")).exists();
        assertThat(jobs.resolve(id + ".json")).doesNotExist();
        // what a kill -9 during a job leaves: its documents file and no outcome; and a half-written one (never acknowledged)
        java.nio.file.Files.writeString(jobs.resolve("left-1.json"), "{\"id\":\"left-1\",\"corpus\":\"ingest\",\"created_at\":"
                + "\"2026-12-01T00:00:00Z\",\"documents\":[{\"id\":\"resumed-1\",\"text\":\"Welder for the day shift.\"}]}");
        java.nio.file.Files.writeString(jobs.resolve("torn.json.tmp"), "{\"id\":");
        matrixd.stop();
        matrixd = startMatrixd();
        JsonNode resumed = awaitJob("left-1");
        assertThat(resumed.path("state").asText()).isEqualTo("done");
        assertThat(vectord.indexes.get("ingest").stream().anyMatch(p -> p.id().equals("resumed-1~0"))).isTrue();
        assertThat(awaitJob(id).path("state").asText()).as("finished jobs are listed after a restart").isEqualTo("done");
        assertThat(jobs.resolve("torn.json.tmp")).doesNotExist();
    }

    static Stream<Arguments> badRetrieves() {
        String many = String.join(",", java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> "\"c" + i + "\"").toList());
        return Stream.of(
                Arguments.of("{\"query\":\"q\",\"corpora\":[" + many + "]}", "invalid_field", "1000"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"group_by\":\"a b\"}", "invalid_field", "group_by"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"group_by\":\"\"}", "invalid_field", "group_by"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"group_size\":2}", "invalid_field", "group_by"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"group_by\":\"doc_id\",\"group_size\":0}", "invalid_field", "group_size"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"group_by\":\"doc_id\",\"group_size\":101}", "invalid_field", "group_size"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"offset\":-1}", "invalid_field", "offset"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"offset\":1001}", "invalid_field", "offset"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"score_threshold\":NaN}", "invalid_json", ""),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"score_threshold\":\"high\"}", "invalid_field", "score_threshold"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"rrf_k\":0}", "invalid_field", "rrf_k"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"docs\"],\"rrf_k\":5,\"fusion\":\"dbsf\"}", "invalid_field", "rrf_k"),
                Arguments.of("{\"query\":\"q\",\"corpora\":[\"playbooks\"],\"query_role\":\"" + "zz".repeat(40) + "\"}", "unknown_role",
                        "closest"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("badRetrieves")
    void badRetrieves_areProblemJson(String body, String code, String mentions) throws Exception {
        assertProblem(send("POST", "/v1/matrix/retrieve", body), 400, code, mentions);
    }

    @ParameterizedTest(name = "weight {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"0", "-1", "-0.0", "NaN", "1e309", "1001", "\"heavy\"", "null"})
    void aCorpusWeight_thatIsNotAPositiveNumber_isRefused(String weight) throws Exception {
        HttpResponse<String> r = send("PUT", "/v1/matrix/corpora/weighty", "{\"index\":\"docs\",\"vectord_url\":\"" + vectord.url()
                + "\",\"weight\":" + weight + "}");
        if ("null".equals(weight)) {   // null is the default weight
            assertThat(r.statusCode()).isIn(200, 201);
            assertThat(send("DELETE", "/v1/matrix/corpora/weighty", null).statusCode()).isEqualTo(204);
        } else {
            assertThat(r.statusCode()).as(weight + ": " + r.body()).isEqualTo(400);
        }
    }
}
