package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * matrixd in-process (its main's builder) over a fake embedd and three fake vectords:
 * registration, sharded retrieval with attribution, the three fusions, the role gate
 * with a wrong-role playbook nearest, a failing corpus making the answer partial, and
 * every bad input by status and code.
 */
class MatrixdServerTest {
    @TempDir
    static Path dir;
    static final AtomicInteger EMBEDS = new AtomicInteger();
    static DaemonServer embedd;
    static FakePeers.Vectord v1;
    static FakePeers.Vectord v2;
    static FakePeers.Vectord slow;
    static DaemonServer matrixd;
    static DaemonServer chatd;
    static final AtomicInteger CHATS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        embedd = FakePeers.embedd(EMBEDS);
        chatd = DaemonServer.builder("fakechatd", EnvConfig.of(Map.of("LAKEHOUSE_FAKECHATD_PORT", "0")), 0).embedded()
                .routing(r -> r.post("/v1/chat", (req, res) -> {
                    CHATS.incrementAndGet();
                    JsonNode body = Json.mapper().readTree(req.content().inputStream());
                    String user = body.path("messages").get(1).path("content").asText();
                    String answer = user.contains("fix the AC") ? "HVAC Technician." : user.contains("pilot") ? "a pilot, I think" : "none";
                    Json.send(res, 200, Map.of("provider", "ollama", "model", "m", "message", Map.of("role", "assistant", "content", answer),
                            "finish_reason", "stop"));
                }))
                .start();
        v1 = new FakePeers.Vectord();
        v2 = new FakePeers.Vectord();
        slow = new FakePeers.Vectord();
        // jobs: one logical index over two shards
        v1.add("jobs", "j1", new float[] {0.9f, 0, 0, 0}, null);
        v1.add("jobs", "j2", new float[] {0.5f, 0, 0, 0}, null);
        v2.add("jobs", "j3", new float[] {0.8f, 0, 0, 0}, null);
        // playbooks: the nearest one is for the wrong role
        v1.add("pb", "pb-welder", new float[] {1.0f, 0, 0, 0}, "welder");
        v1.add("pb", "pb-fork", new float[] {0.6f, 0, 0, 0}, "forklift operator");
        v1.add("pb", "pb-fork2", new float[] {0.4f, 0, 0, 0}, "forklift operator");
        v1.add("pb", "pb-norole", new float[] {0.95f, 0, 0, 0}, null);
        slow.add("slowidx", "s1", new float[] {0.99f, 0, 0, 0}, null);
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_MATRIXD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_EMBEDD_URL", "http://127.0.0.1:" + embedd.port(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_CHATD_URL", "http://127.0.0.1:" + chatd.port(),
                "MATRIXD_SEARCH_TIMEOUT", "700ms", "MATRIXD_VECTORD_URLS", v1.url() + "," + v2.url() + "," + slow.url() + "/"));
        matrixd = MatrixdMain.builder(MatrixdConfig.from(env), env).embedded().start();
        assertThat(send("PUT", "/v1/matrix/corpora/jobs", "{\"index\":\"jobs\",\"shards\":[\"" + v1.url() + "\",\"" + v2.url()
                + "\"]}").statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/v1/matrix/corpora/playbooks", "{\"index\":\"pb\",\"vectord_url\":\"" + v1.url()
                + "\",\"gate\":\"role\",\"weight\":2}").statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/v1/matrix/corpora/slow", "{\"index\":\"slowidx\",\"vectord_url\":\"" + slow.url() + "\"}")
                .statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        matrixd.stop();
        embedd.stop();
        chatd.stop();
        v1.server.stop();
        v2.server.stop();
        slow.server.stop();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(matrixd::port).send(method, path, body);
    }

    static JsonNode retrieve(String body) throws Exception {
        HttpResponse<String> r = send("POST", "/v1/matrix/retrieve", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "http://169.254.169.254/latest/meta-data", "http://169.254.169.254", "http://127.0.0.1:1", "http://localhost:4217",
        "http://127.0.0.1:PORT@169.254.169.254", "http://user@127.0.0.1:PORT", "file:///etc/passwd", "gopher://127.0.0.1:PORT",
        "ftp://127.0.0.1:PORT", "http://2130706433:PORT", "http://[::1]:PORT", "http://127.0.0.1:PORT/v1/indexes",
        "http://127.0.0.1:PORT?x=1", "HTTP://127.0.0.1:PORT#frag"})
    void aRegistrationToAVectordOffTheAllowlist_isRefusedBeforeAnyCall(String url) throws Exception {
        String u = url.replace("PORT", Integer.toString(v1.server.port()));
        int before = v1.created.size() + EMBEDS.get();
        HttpResponse<String> r = send("PUT", "/v1/matrix/corpora/evil", "{\"index\":\"jobs\",\"vectord_url\":\"" + u + "\"}");
        assertThat(r.statusCode()).as(u + ": " + r.body()).isIn(400, 403);
        assertThat(r.body()).doesNotContain("169.254").doesNotContain("passwd");
        assertThat(send("GET", "/v1/matrix/corpora/evil", null).statusCode()).isEqualTo(404);
        HttpResponse<String> sharded = send("PUT", "/v1/matrix/corpora/evil", "{\"index\":\"jobs\",\"shards\":[\"" + v1.url()
                + "\",\"" + u + "\"]}");
        assertThat(sharded.statusCode()).as(u).isIn(400, 403);
        assertThat(v1.created.size() + EMBEDS.get()).isEqualTo(before);
    }

    @Test
    void anAllowedVectord_isMatchedByOrigin_caseAndTrailingSlashAside() throws Exception {
        String upper = v1.url().replace("http://", "HTTP://") + "/";
        HttpResponse<String> r = send("PUT", "/v1/matrix/corpora/jobs-again", "{\"index\":\"jobs\",\"vectord_url\":\"" + upper + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(send("DELETE", "/v1/matrix/corpora/jobs-again", null).statusCode()).isEqualTo(204);
    }

    @Test
    void theGateBelongsToTheIndex_aCorpusNamingAGatedIndexIsGatedWhateverItsRegistrationSays() throws Exception {
        v2.add("memories", "m1", new float[] {0.9f, 0, 0, 0}, "welder");
        v2.gates.put("memories", "role");
        HttpResponse<String> r = send("PUT", "/v1/matrix/corpora/sneaky", "{\"index\":\"memories\",\"vectord_url\":\"" + v2.url()
                + "\",\"gate\":\"none\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(Json.mapper().readTree(r.body()).path("gate").asText()).isEqualTo("role");
        // a query for another role gets nothing of it; the corpus is not an open door to the index
        JsonNode hits = retrieve("{\"query\":\"anything\",\"corpora\":[\"sneaky\"],\"query_role\":\"forklift operator\"}");
        assertThat(hits.path("hits")).isEmpty();
        assertThat(send("DELETE", "/v1/matrix/corpora/sneaky", null).statusCode()).isEqualTo(204);
    }

    @Test
    void registration_isIdempotent_listed_andShowsTheShards() throws Exception {
        HttpResponse<String> again = send("PUT", "/v1/matrix/corpora/jobs", "{\"index\":\"jobs\",\"shards\":[\"" + v1.url()
                + "\",\"" + v2.url() + "\"]}");
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode list = Json.mapper().readTree(send("GET", "/v1/matrix/corpora", null).body());
        assertThat(list.path("corpora").findValuesAsText("name")).contains("jobs", "playbooks", "slow");
        JsonNode jobs = Json.mapper().readTree(send("GET", "/v1/matrix/corpora/jobs", null).body());
        assertThat(jobs.path("shards")).hasSize(2);
        assertThat(jobs.path("gate").asText()).isEqualTo("none");
    }

    @Test
    void aShardedCorpus_isOneLogicalIndex_withAttribution() throws Exception {
        JsonNode r = retrieve("{\"query\":\"x\",\"corpora\":[\"jobs\"],\"k\":3}");
        assertThat(r.path("hits").findValuesAsText("id")).containsExactly("j1", "j3", "j2");
        JsonNode first = r.path("hits").get(0);
        assertThat(first.path("corpus").asText()).isEqualTo("jobs");
        assertThat(first.path("index").asText()).isEqualTo("jobs");
        assertThat(first.path("shard").asText()).isEqualTo(v1.url());
        assertThat(r.path("hits").get(1).path("shard").asText()).isEqualTo(v2.url());
        assertThat(first.path("doc_id").asText()).isEqualTo("doc-j1");
        assertThat(first.path("rank_in_corpus").asInt()).isEqualTo(1);
        assertThat(first.path("raw_score").asDouble()).isEqualTo(0.9, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(first.path("score").asDouble()).isEqualTo(1.0 / 60, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(r.path("partial").asBoolean()).isFalse();
        assertThat(r.path("fusion").asText()).isEqualTo("rrf");
    }

    @Test
    void theRoleGate_neverServesAWrongRolePlaybook_evenWhenItIsNearest_andStillReturnsK() throws Exception {
        JsonNode r = retrieve("{\"query\":\"x\",\"corpora\":[\"playbooks\"],\"k\":2,\"query_role\":\"Forklift Operator\"}");
        assertThat(r.path("hits").findValuesAsText("id")).containsExactly("pb-fork", "pb-fork2");
        assertThat(r.path("query_role").asText()).isEqualTo("forklift operator");
        JsonNode general = retrieve("{\"query\":\"x\",\"corpora\":[\"playbooks\"],\"k\":5,\"query_role\":\"warehouse associate\"}");
        assertThat(general.path("hits").findValuesAsText("id")).as("a general role's orders accept forklift operators")
                .containsExactly("pb-fork", "pb-fork2");
        JsonNode welder = retrieve("{\"query\":\"x\",\"corpora\":[\"playbooks\"],\"k\":5,\"query_role\":\"welder\"}");
        assertThat(welder.path("hits").findValuesAsText("id")).containsExactly("pb-welder");
    }

    @Test
    void aCorpusFilter_makesTheCorpusPartOfAnIndex_andWinsOverTheRequestsFilter() throws Exception {
        assertThat(send("PUT", "/v1/matrix/corpora/forkonly", "{\"index\":\"pb\",\"vectord_url\":\"" + v1.url()
                + "\",\"gate\":\"role\",\"filter\":{\"doc_id\":[\"doc-pb-fork2\",\"doc-pb-welder\"]}}").statusCode()).isEqualTo(201);
        JsonNode r = retrieve("{\"query\":\"x\",\"corpora\":[\"forkonly\"],\"k\":5,\"query_role\":\"forklift operator\","
                + "\"filter\":{\"doc_id\":\"doc-pb-fork\"}}");
        assertThat(r.path("hits").findValuesAsText("id")).as("the corpus's filter and the gate both hold").containsExactly("pb-fork2");
        JsonNode shown = Json.mapper().readTree(send("GET", "/v1/matrix/corpora/forkonly", null).body());
        assertThat(shown.path("filter").path("doc_id")).hasSize(2);
        assertThat(send("DELETE", "/v1/matrix/corpora/forkonly", null).statusCode()).isEqualTo(204);
    }

    @Test
    void aGatedCorpus_withoutAQueryRole_isSkipped_andSaysWhy() throws Exception {
        JsonNode r = retrieve("{\"query\":\"x\",\"corpora\":[\"jobs\",\"playbooks\"],\"k\":10}");
        assertThat(r.path("hits").findValuesAsText("corpus")).containsOnly("jobs");
        assertThat(r.path("skipped").get(0).path("code").asText()).isEqualTo("no_query_role");
    }

    @Test
    void theRole_comesFromTheDictionaryFirst_thenFromChatd_isCached_andAnUnknownAnswerIsNone() throws Exception {
        int before = CHATS.get();
        JsonNode dict = retrieve("{\"query\":\"need two welders tomorrow\",\"corpora\":[\"playbooks\"],\"k\":5}");
        assertThat(dict.path("query_role").asText()).isEqualTo("welder");
        assertThat(dict.path("role_source").asText()).isEqualTo("dictionary");
        assertThat(dict.path("hits").findValuesAsText("id")).containsExactly("pb-welder");
        assertThat(CHATS.get()).as("the dictionary found it: chatd not asked").isEqualTo(before);

        JsonNode llm = retrieve("{\"query\":\"someone to fix the AC at the plant\",\"corpora\":[\"playbooks\"]}");
        assertThat(llm.path("query_role").asText()).isEqualTo("hvac technician");
        assertThat(llm.path("role_source").asText()).isEqualTo("llm");
        retrieve("{\"query\":\"Someone to fix the AC at the plant!\",\"corpora\":[\"playbooks\"]}");
        assertThat(CHATS.get() - before).as("one question, then the cache (same words)").isEqualTo(1);

        JsonNode unknown = retrieve("{\"query\":\"we need a pilot\",\"corpora\":[\"playbooks\"]}");
        assertThat(unknown.path("role_source").asText()).isEqualTo("none");
        assertThat(unknown.path("skipped").get(0).path("code").asText()).isEqualTo("no_query_role");

        JsonNode given = retrieve("{\"query\":\"need two welders\",\"corpora\":[\"jobs\"],\"query_role\":\"Janitor\"}");
        assertThat(given.path("role_source").asText()).isEqualTo("request");
        assertThat(given.path("query_role").asText()).isEqualTo("janitor");
    }

    @Test
    void fusions_makeCorporaComparable_andTheWeightCounts() throws Exception {
        String body = "{\"query\":\"x\",\"corpora\":[\"jobs\",\"playbooks\"],\"k\":4,\"query_role\":\"forklift operator\",\"fusion\":\"%s\"}";
        JsonNode rrf = retrieve(body.formatted("rrf"));
        assertThat(rrf.path("hits").get(0).path("id").asText()).as("weight 2 puts the playbook's first hit first").isEqualTo("pb-fork");
        JsonNode relative = retrieve(body.formatted("relative"));
        assertThat(relative.path("hits").get(0).path("score").asDouble()).isEqualTo(2.0);
        assertThat(relative.path("fusion").asText()).isEqualTo("relative");
        JsonNode dbsf = retrieve(body.formatted("dbsf"));
        for (JsonNode h : dbsf.path("hits")) {
            assertThat(h.path("score").asDouble()).isBetween(0.0, 2.0);
        }
    }

    @Test
    void aCorpusThatTimesOut_makesTheAnswerPartial_notAFailure() throws Exception {
        slow.hangMillis = 3_000;
        try {
            JsonNode r = retrieve("{\"query\":\"x\",\"corpora\":[\"jobs\",\"slow\"],\"k\":2}");
            assertThat(r.path("partial").asBoolean()).isTrue();
            assertThat(r.path("errors").get(0).path("corpus").asText()).isEqualTo("slow");
            assertThat(r.path("hits").findValuesAsText("corpus")).containsOnly("jobs");
            HttpResponse<String> only = send("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"slow\"]}");
            TestHttp.assertProblem(only, 502, "all_corpora_failed", "slow");
        } finally {
            slow.hangMillis = 0;
        }
    }

    @Test
    void theQuery_isEmbeddedOnce_forAllCorpora() throws Exception {
        int before = EMBEDS.get();
        retrieve("{\"query\":\"once\",\"corpora\":[\"jobs\",\"playbooks\"],\"query_role\":\"welder\"}");
        assertThat(EMBEDS.get() - before).isEqualTo(1);
    }

    static JsonNode awaitJob(String id) throws Exception {
        for (int i = 0; i < 200; i++) {
            JsonNode job = Json.mapper().readTree(send("GET", "/v1/matrix/jobs/" + id, null).body());
            if (!job.path("state").asText().equals("queued") && !job.path("state").asText().equals("running")) {
                return job;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void ingest_chunksEmbedsAndSpreadsOverShards_reportsProgress_andLeavesNoOrphans() throws Exception {
        v1.indexes.putIfAbsent("docs", new java.util.concurrent.CopyOnWriteArrayList<>());
        v2.indexes.putIfAbsent("docs", new java.util.concurrent.CopyOnWriteArrayList<>());
        assertThat(send("PUT", "/v1/matrix/corpora/docs", "{\"index\":\"docs\",\"shards\":[\"" + v1.url() + "\",\"" + v2.url()
                + "\"],\"gate\":\"role\"}").statusCode()).isEqualTo(201);
        String longText = "The night shift runs forklifts in aisle nine. ".repeat(60);   // ~2,800 characters: several chunks
        StringBuilder docs = new StringBuilder("{\"documents\":[");
        for (int i = 0; i < 6; i++) {
            docs.append(i == 0 ? "" : ",").append("{\"id\":\"pb-").append(i).append("\",\"text\":\"")
                    .append(i == 0 ? longText : "Short playbook " + i + ".").append("\",\"metadata\":{\"role\":\"Forklift Operator\"}}");
        }
        HttpResponse<String> accepted = send("POST", "/v1/matrix/corpora/docs/documents", docs.append("]}").toString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode job = awaitJob(Json.mapper().readTree(accepted.body()).path("job_id").asText());
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(job.path("documents_done").asInt()).isEqualTo(6);
        assertThat(job.path("failures").asInt()).isZero();
        int chunks = job.path("chunks").asInt();
        assertThat(chunks).isGreaterThan(6);
        assertThat(v1.indexes.get("docs").size() + v2.indexes.get("docs").size()).isEqualTo(chunks);
        assertThat(v1.indexes.get("docs")).as("spread over both shards").isNotEmpty();
        assertThat(v2.indexes.get("docs")).isNotEmpty();
        FakePeers.Vectord home = Ingest.shard("pb-0", 2) == 0 ? v1 : v2;
        FakePeers.Vectord.Point first = home.indexes.get("docs").stream().filter(p -> p.id().equals("pb-0~0")).findFirst().orElseThrow();
        assertThat(first.payload().path("doc_id").asText()).isEqualTo("pb-0");
        assertThat(first.payload().path("role").asText()).as("stored lower case, for the gate").isEqualTo("forklift operator");
        assertThat(first.payload().path("text").asText()).startsWith("The night shift");

        JsonNode gated = retrieve("{\"query\":\"x\",\"corpora\":[\"docs\"],\"k\":3,\"query_role\":\"forklift operator\"}");
        assertThat(gated.path("hits")).hasSize(3);

        HttpResponse<String> again = send("POST", "/v1/matrix/corpora/docs/documents",
                "{\"documents\":[{\"id\":\"pb-0\",\"text\":\"Now one short sentence.\"}]}");
        awaitJob(Json.mapper().readTree(again.body()).path("job_id").asText());
        assertThat(home.indexes.get("docs").stream().filter(p -> p.payload().path("doc_id").asText().equals("pb-0")))
                .as("re-ingesting replaces the document's chunks: no orphans").hasSize(1);
    }

    static Stream<Arguments> badInputs() {
        String many = "[" + String.join(",", java.util.Collections.nCopies(65, "\"jobs\"")) + "]";
        return Stream.of(
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"nope\"]}", 404, "corpus_not_found", "nope"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"jobs\"],\"k\":0}", 400, "invalid_field", "k"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"jobs\"],\"k\":1001}", 400, "invalid_field", "k"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"  \",\"corpora\":[\"jobs\"]}", 400, "invalid_field", "query"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"corpora\":[\"jobs\"]}", 400, "missing_field", "query"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"jobs\"],\"fusion\":\"borda\"}", 400, "invalid_field", "fusion"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":" + many + "}", 400, "invalid_field", "64"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"jobs\",\"jobs\"]}", 400, "invalid_field", "twice"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[]}", 400, "invalid_field", "corpora"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[null]}", 400, "missing_field", "corpora[0]"),
                Arguments.of("POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"jobs\"],\"filter\":[1]}", 400, "invalid_field", "filter"),
                Arguments.of("POST", "/v1/matrix/retrieve", "null", 400, "invalid_json", "null"),
                // off the allowlist: refused before a call (it was 503 peer_unavailable: matrixd tried to reach it)
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"missing\",\"vectord_url\":\"http://127.0.0.1:" + 1 + "\"}", 403,
                        "vectord_not_allowed", "vectord_url"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"weight\":0,\"vectord_url\":\"http://h\"}", 400, "invalid_field", "weight"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"weight\":NaN,\"vectord_url\":\"http://h\"}", 400, "invalid_json", "malformed"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\"}", 400, "invalid_field", "vectord_url"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"vectord_url\":\"ftp://h\"}", 400, "invalid_field", "vectord_url"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"gate\":\"team\",\"vectord_url\":\"http://h\"}", 400, "invalid_field", "gate"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"vectord_url\":\"http://h\",\"filter\":{\"kind\":{\"a\":1}}}", 400, "invalid_field", "filter.kind"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"vectord_url\":\"http://h\",\"filter\":{\"kind\":[]}}", 400, "invalid_field", "filter.kind"),
                Arguments.of("PUT", "/v1/matrix/corpora/x", "{\"index\":\"jobs\",\"vectord_url\":\"http://h\",\"filter\":[1]}", 400, "invalid_field", "filter"),
                Arguments.of("PUT", "/v1/matrix/corpora/BAD", "{\"index\":\"jobs\",\"vectord_url\":\"http://h\"}", 400, "invalid_field", "name"),
                Arguments.of("GET", "/v1/matrix/corpora/nope", null, 404, "corpus_not_found", "nope"),
                Arguments.of("POST", "/v1/matrix/corpora/nope/documents", "{\"documents\":[{\"id\":\"a\",\"text\":\"t\"}]}", 404,
                        "corpus_not_found", "nope"),
                Arguments.of("POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":[{\"id\":\"a\",\"text\":\"t\"},"
                        + "{\"id\":\"a\",\"text\":\"u\"}]}", 400, "invalid_field", "documents[1].id"),
                Arguments.of("POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":[{\"id\":\"a\",\"text\":\" \"}]}", 400,
                        "invalid_field", "text"),
                Arguments.of("POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":[{\"id\":\"a b\",\"text\":\"t\"}]}", 400,
                        "invalid_field", "id"),
                Arguments.of("POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":[]}", 400, "invalid_field", "documents"),
                Arguments.of("POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":[{\"id\":\"a\",\"text\":\""
                        + "x".repeat(1_000_001) + "\"}]}", 400, "invalid_field", "1000000"),
                Arguments.of("GET", "/v1/matrix/jobs/nope", null, 404, "job_not_found", "nope"),
                Arguments.of("DELETE", "/v1/matrix/corpora/nope", null, 404, "corpus_not_found", "nope"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} -> {3} {4}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, int status, String code, String mentions) throws Exception {
        TestHttp.assertProblem(send(method, path, body), status, code, mentions);
    }

    @Test
    void aCorpusOnAVectordWithoutTheIndex_isRefusedAtRegistration() throws Exception {
        TestHttp.assertProblem(send("PUT", "/v1/matrix/corpora/x", "{\"index\":\"missing\",\"vectord_url\":\"" + v2.url() + "\"}"),
                400, "index_not_found", v2.url());
    }
}
