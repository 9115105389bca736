package dev.lakehouse.validatord;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.testing.TestHttp;
import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.RosterGenerator;
import dev.lakehouse.validatord.roster.RosterLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * validatord in-process over a generated 3,000-worker roster and a scripted chatd:
 * /v1/validate, the roster endpoints, /v1/iterate's generate → validate → correct
 * loop, every bad input, chatd unreachable, and a missing or corrupt roster.
 */
class ValidatordServerTest {
    @TempDir
    static Path dir;
    static Path rosterFile;
    static Roster roster;
    static FakeChatd chatd;
    static DaemonServer validatord;
    static DaemonServer truthd;

    @BeforeAll
    static void start() throws Exception {
        rosterFile = dir.resolve("workers.parquet");
        RosterGenerator.write(rosterFile, 3_000, 42, n -> { });
        roster = RosterLoader.load(rosterFile);
        chatd = new FakeChatd();
        EnvConfig truthEnv = EnvConfig.of(Map.of("LAKEHOUSE_TRUTHD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("truth").toString(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9"));
        truthd = dev.lakehouse.truthd.EmbeddedTruthd.start(truthEnv);
        awaitReady(truthd);
        validatord = start(rosterFile, chatd.url().toString());
        awaitReady(validatord);
    }

    static DaemonServer start(Path roster, String chatdUrl) {
        return start(roster, chatdUrl, "http://127.0.0.1:" + truthd.port());
    }

    static DaemonServer start(Path roster, String chatdUrl, String truthdUrl) {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_VALIDATORD_PORT", "0", "LAKEHOUSE_ROSTER", roster.toString(),
                "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(), "LAKEHOUSE_CHATD_URL", chatdUrl,
                "LAKEHOUSE_PATHWAYD_URL", chatdUrl, "LAKEHOUSE_TRUTHD_URL", truthdUrl,
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9"));
        return ValidatordMain.builder(ValidatordConfig.from(env), env).embedded().start();
    }

    static void awaitReady(DaemonServer server) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (get(server, "/ready").statusCode() == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("validatord never became ready");
    }

    @AfterAll
    static void stop() {
        validatord.stop();
        truthd.stop();
        chatd.close();
    }

    @BeforeEach
    void reset() {
        chatd.reset();
    }

    static HttpResponse<String> get(DaemonServer server, String path) throws Exception {
        return new TestHttp(server::port).get(path);
    }

    static HttpResponse<String> post(DaemonServer server, String path, String json) throws Exception {
        return new TestHttp(server::port).post(path, json);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestHttp.json(r);
    }

    /** An order at worker W000010's home, for its role, radius 10 miles. */
    static String order(int headcount) {
        Roster.Worker w = roster.worker("W000010").orElseThrow();
        return "{\"order_id\":\"O-1\",\"role\":\"" + w.role() + "\",\"city\":\"" + w.city() + "\",\"state\":\"" + w.state()
                + "\",\"lat\":" + w.lat() + ",\"lon\":" + w.lon() + ",\"radius_miles\":10,\"headcount\":" + headcount
                + ",\"pay_rate\":19.5}";
    }

    @Test
    void validate_aFill_goodAndBad() throws Exception {
        assertThat(roster.worker("W000010").orElseThrow().status()).isEqualTo("active");
        JsonNode good = json(post(validatord, "/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + order(2)
                + ",\"worker_ids\":[\"W000010\"]}}"));
        assertThat(good.path("valid").asBoolean()).as(good.toString()).isTrue();
        assertThat(good.path("kind").asText()).isEqualTo("fill");
        assertThat(good.path("violations")).isEmpty();
        assertThat(good.path("took_ms").isNumber()).isTrue();

        JsonNode bad = json(post(validatord, "/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + order(1)
                + ",\"worker_ids\":[\"W000010\",\"W999999\",\"W000010\"]}}"));
        assertThat(bad.path("valid").asBoolean()).isFalse();
        assertThat(bad.path("violations").get(0).toString()).isEqualTo("{\"rule\":\"phantom_worker\",\"severity\":\"error\","
                + "\"path\":\"worker_ids[1]\",\"message\":\"worker W999999 is not on the roster\"}");
        assertThat(bad.path("violations")).extracting(v -> v.path("rule").asText())
                .containsExactly("phantom_worker", "duplicate_worker", "over_headcount");
    }

    @Test
    void validate_anEmail() throws Exception {
        Roster.Worker w = roster.worker("W000010").orElseThrow();
        JsonNode good = json(post(validatord, "/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"W000010\","
                + "\"subject\":\"Shift\",\"body\":\"Hi " + w.firstName() + ", see you Monday.\"}}"));
        assertThat(good.path("valid").asBoolean()).as(good.toString()).isTrue();
        JsonNode bad = json(post(validatord, "/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"W000010\","
                + "\"subject\":\"Shift\",\"body\":\"Hi " + w.firstName() + ", your SSN 078-05-1120 and pay $20/hr.\"}}"));
        assertThat(bad.path("violations")).extracting(v -> v.path("rule").asText()).containsExactly("ssn", "pay_disclosure");
    }

    @Test
    void rosterEndpoints() throws Exception {
        JsonNode stats = json(get(validatord, "/v1/roster/stats"));
        assertThat(stats.path("workers").asInt()).isEqualTo(3_000);
        assertThat(stats.path("active").asInt() + stats.path("inactive").asInt()).isEqualTo(3_000);
        assertThat(stats.path("roles").size()).isGreaterThan(20);
        assertThat(stats.path("load_ms").asLong()).isNotNegative();
        JsonNode worker = json(get(validatord, "/v1/roster/workers/W000010"));
        assertThat(worker.path("worker_id").asText()).isEqualTo("W000010");
        assertThat(worker.path("first_name").asText()).isEqualTo(roster.worker("W000010").orElseThrow().firstName());
        HttpResponse<String> missing = get(validatord, "/v1/roster/workers/W999999");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).path("code").asText()).isEqualTo("unknown_worker");
        HttpResponse<String> malformed = get(validatord, "/v1/roster/workers/bob");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).path("code").asText()).isEqualTo("invalid_worker_id");
    }

    @Test
    void aNewerPreferredClaimInTruthd_makesAStaleRosterWarning_andTruthdDown_skipsTheCheckSayingSo() throws Exception {
        Roster.Worker w = roster.worker("W000011").orElseThrow();
        String other = w.active() ? "inactive" : "active";
        String fill = "{\"kind\":\"fill\",\"fill\":{\"order\":{\"order_id\":\"O-2\",\"role\":\"" + w.role() + "\",\"lat\":"
                + w.lat() + ",\"lon\":" + w.lon() + ",\"radius_miles\":10,\"headcount\":1},\"worker_ids\":[\"W000011\"]}}";
        assertThat(json(post(validatord, "/v1/validate", fill)).path("violations").toString()).doesNotContain("stale_roster");
        // an older preferred claim (before the roster file was written) and a newer normal one do not count
        String claims = "{\"claims\":[{\"subject\":\"worker:W000011\",\"field\":\"status\",\"value\":\"" + other
                + "\",\"source\":\"crm\",\"rank\":\"preferred\",\"observed_at\":\"2001-01-01T00:00:00Z\"},"
                + "{\"subject\":\"worker:W000011\",\"field\":\"phone\",\"value\":\"999-555-0000\",\"source\":\"crm\"}]}";
        assertThat(new TestHttp(truthd::port).post("/v1/truth/claims", claims).statusCode()).isEqualTo(201);
        assertThat(json(post(validatord, "/v1/validate", fill)).path("violations").toString()).doesNotContain("stale_roster");
        String newer = "{\"claims\":[{\"subject\":\"worker:W000011\",\"field\":\"status\",\"value\":\"" + other
                + "\",\"source\":\"crm\",\"rank\":\"preferred\",\"observed_at\":\"" + java.time.Instant.now() + "\"}]}";
        assertThat(new TestHttp(truthd::port).post("/v1/truth/claims", newer).statusCode()).isEqualTo(201);
        JsonNode warned = json(post(validatord, "/v1/validate", fill));
        assertThat(warned.path("valid").asBoolean()).as("a warning, not an error").isTrue();
        assertThat(warned.path("violations")).anySatisfy(v -> {
            assertThat(v.path("rule").asText()).isEqualTo("stale_roster");
            assertThat(v.path("path").asText()).isEqualTo("worker_ids[0]");
            assertThat(v.path("message").asText()).contains("status", w.status(), other, "crm");
        });
        assertThat(warned.has("skipped")).isFalse();
        DaemonServer orphan = start(rosterFile, chatd.url().toString(), "http://127.0.0.1:9");
        try {
            awaitReady(orphan);
            JsonNode skipped = json(post(orphan, "/v1/validate", fill));
            assertThat(skipped.path("valid").asBoolean()).isTrue();
            assertThat(skipped.path("skipped").get(0).path("check").asText()).isEqualTo("stale_roster");
            assertThat(skipped.path("skipped").get(0).path("reason").asText()).contains("truthd");
        } finally {
            orphan.stop();
        }
    }

    @Test
    void aValidFill_isRecordedAsAPlaybook_inPathwayd_retriedWhilePathwaydIsNotReady() throws Exception {
        chatd.refuseMemories.set(1);
        chatd.outputs.add("{\"worker_ids\":[\"W000010\"]}");
        JsonNode body = json(post(validatord, "/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"Staff order O-1\","
                + "\"context\":{\"order\":" + order(1) + "}}"));
        assertThat(body.path("valid").asBoolean()).isTrue();
        long deadline = System.currentTimeMillis() + 10_000;
        while (chatd.memories.size() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(chatd.memories).as("the first post was refused with 503, the retry went through").hasSize(2);
        JsonNode pb = chatd.memories.get(1);
        assertThat(pb.path("id").asText()).isEqualTo("playbook-" + body.path("iteration_id").asText())
                .isEqualTo(chatd.memories.get(0).path("id").asText());
        assertThat(pb.path("kind").asText()).isEqualTo("playbook");
        assertThat(pb.path("role").asText()).isEqualTo(roster.worker("W000010").orElseThrow().role());
        assertThat(pb.path("playbook").path("workers").toString()).isEqualTo("[\"W000010\"]");
        assertThat(pb.path("playbook").path("order").path("order_id").asText()).isEqualTo("O-1");
        assertThat(pb.path("playbook").path("outcome").asText()).isEqualTo("filled");
        assertThat(pb.path("text").asText()).startsWith("Filled order O-1 for 1 × ").contains("W000010");
        String metrics = get(validatord, "/metrics").body();
        assertThat(metrics).containsPattern("validatord_playbooks_total\\{[^}]*outcome=\"recorded\"[^}]*\\} [1-9]");
    }

    @Test
    void anInvalidFill_orAnEmail_recordsNoPlaybook() throws Exception {
        chatd.outputs.add("{\"worker_ids\":[\"W999999\"]}");
        assertThat(json(post(validatord, "/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"Staff order O-1\","
                + "\"context\":{\"order\":" + order(1) + "},\"max_attempts\":1}")).path("valid").asBoolean()).isFalse();
        Thread.sleep(300);
        assertThat(chatd.memories).isEmpty();
    }

    @Test
    void iterate_correctsAnInvalidFill_withTheViolationsFedBack() throws Exception {
        chatd.outputs.add("Sure! {\"worker_ids\":[\"W000010\",\"W999999\"]}");
        chatd.outputs.add("```json\n{\"worker_ids\":[\"W000010\"]}\n```");
        HttpResponse<String> r = post(validatord, "/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"Staff order O-1\","
                + "\"context\":{\"order\":" + order(1) + "},\"provider\":\"ollama\",\"model\":\"qwen2.5:7b\",\"max_attempts\":3}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("valid").asBoolean()).isTrue();
        assertThat(body.path("final").path("worker_ids").toString()).isEqualTo("[\"W000010\"]");
        assertThat(body.path("attempts")).hasSize(2);
        assertThat(body.path("attempts").get(0).path("n").asInt()).isEqualTo(1);
        assertThat(body.path("attempts").get(0).path("violations")).extracting(v -> v.path("rule").asText())
                .containsExactly("phantom_worker", "over_headcount");
        assertThat(body.path("attempts").get(1).path("violations")).isEmpty();
        JsonNode second = chatd.requests.get(1);
        assertThat(second.path("provider").asText()).isEqualTo("ollama");
        assertThat(second.path("model").asText()).isEqualTo("qwen2.5:7b");
        JsonNode messages = second.path("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(2).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(3).path("content").asText()).contains("phantom_worker at worker_ids[1]", "W999999");
    }

    @Test
    void iterate_unparseableOutput_isAViolation_andAfterMaxAttemptsTheAnswerIsInvalid() throws Exception {
        chatd.outputs.add("I cannot help with that.");
        chatd.outputs.add("{\"subject\":\"Shift\"}");
        JsonNode body = json(post(validatord, "/v1/iterate", "{\"kind\":\"email\",\"instruction\":\"Tell them about Monday\","
                + "\"context\":{\"to_worker_id\":\"W000010\"},\"max_attempts\":2}"));
        assertThat(body.path("valid").asBoolean()).isFalse();
        assertThat(body.path("final").isNull()).isTrue();
        assertThat(body.path("attempts")).hasSize(2);
        assertThat(body.path("attempts").get(0).path("violations").get(0).path("rule").asText()).isEqualTo("unparseable_output");
        assertThat(body.path("attempts").get(1).path("violations").get(0).path("message").asText()).contains("subject and body");
    }

    @Test
    void iterate_anEmail_validFirstTime() throws Exception {
        Roster.Worker w = roster.worker("W000010").orElseThrow();
        chatd.outputs.add("{\"subject\":\"Monday\",\"body\":\"Hi " + w.firstName() + ", your shift starts Monday at 7.\"}");
        JsonNode body = json(post(validatord, "/v1/iterate", "{\"kind\":\"email\",\"instruction\":\"Tell them about Monday\","
                + "\"context\":{\"to_worker_id\":\"W000010\"}}"));
        assertThat(body.path("valid").asBoolean()).as(body.toString()).isTrue();
        assertThat(body.path("final").path("body").asText()).startsWith("Hi " + w.firstName());
        assertThat(chatd.requests).hasSize(1);
        assertThat(chatd.requests.get(0).has("provider")).as("defaults are chatd's").isFalse();
    }

    @Test
    void iterate_chatdUnreachable_is503NamingChatd() throws Exception {
        DaemonServer orphan = start(rosterFile, "http://127.0.0.1:9");
        try {
            awaitReady(orphan);
            HttpResponse<String> r = post(orphan, "/v1/iterate", "{\"kind\":\"email\",\"instruction\":\"x\","
                    + "\"context\":{\"to_worker_id\":\"W000010\"}}");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).path("peer").asText()).isEqualTo("chatd");
            assertThat(json(r).path("detail").asText()).contains("chatd");
        } finally {
            orphan.stop();
        }
    }

    /** Each replica fetches its own copy from object storage (an HTTP server here): no shared volume. */
    @Test
    void aRosterUrl_isFetchedIntoTheRostersPath_andABadOneLeavesItNeedingAnOperator() throws Exception {
        com.sun.net.httpserver.HttpServer store = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        byte[] bytes = Files.readAllBytes(rosterFile);
        store.createContext("/bucket/workers.parquet", x -> {
            x.sendResponseHeaders(200, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        store.createContext("/bucket/huge.parquet", x -> {
            x.sendResponseHeaders(200, 5L << 30);   // says 5 GiB, sends a little, hangs up
            try {
                x.getResponseBody().write(new byte[1 << 16]);
                x.getResponseBody().flush();
            } catch (java.io.IOException gone) {
                // the client hung up first, as it should
            }
            x.close();
        });
        store.start();
        String base = "http://127.0.0.1:" + store.getAddress().getPort() + "/bucket/";
        try {
            for (String[] c : new String[][] {{"workers.parquet?X-Amz-Signature=secret", "200"}, {"missing.parquet?X-Amz-Signature=secret", "404"},
                    {"huge.parquet", "VALIDATORD_ROSTER_MAX_BYTES"}}) {
                Path into = dir.resolve("fetched-" + c[1]).resolve("workers.parquet");
                EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_VALIDATORD_PORT", "0", "LAKEHOUSE_ROSTER", into.toString(),
                        "LAKEHOUSE_DATA_DIR", dir.resolve("data-" + c[1]).toString(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                        "VALIDATORD_ROSTER_URL", base + c[0], "VALIDATORD_TRUTH", "false", "VALIDATORD_PLAYBOOKS", "false"));
                DaemonServer server = ValidatordMain.builder(ValidatordConfig.from(env), env).embedded().start();
                try {
                    HttpResponse<String> ready = null;
                    for (int i = 0; i < 200; i++) {
                        ready = get(server, "/ready");
                        String roster = json(ready).path("checks").path("roster").asText();
                        if (!roster.equals("loading") && !roster.equals("fetching")) {
                            break;
                        }
                        Thread.sleep(50);
                    }
                    if (c[1].equals("200")) {
                        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                        assertThat(into).hasSameBinaryContentAs(rosterFile);
                        assertThat(json(get(server, "/v1/roster/stats")).path("workers").asInt()).isEqualTo(3000);
                    } else {
                        assertThat(ready.statusCode()).isEqualTo(503);
                        assertThat(json(ready).path("needs_operator").asBoolean()).isTrue();
                        assertThat(ready.body()).contains(c[1]).doesNotContain("secret");   // a presigned URL's signature is never shown
                        assertThat(into).doesNotExist();
                        assertThat(into.getParent()).isEmptyDirectory();   // no part file left behind
                    }
                } finally {
                    server.stop();
                }
            }
        } finally {
            store.stop(0);
        }
    }

    @Test
    void aMissingOrCorruptRoster_keepsTheDaemonUp_andSaysWhy() throws Exception {
        Path corrupt = dir.resolve("corrupt.parquet");
        Files.writeString(corrupt, "not parquet");
        for (Path file : new Path[] {dir.resolve("absent.parquet"), corrupt}) {
            DaemonServer server = start(file, chatd.url().toString());
            try {
                HttpResponse<String> ready = null;
                for (int i = 0; i < 100; i++) {
                    ready = get(server, "/ready");
                    if (!json(ready).path("checks").path("roster").asText().equals("loading")) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(json(ready).path("checks").path("roster").asText()).startsWith("failed: ").contains(file.getFileName().toString())
                        .doesNotContain(file.getParent().toString());   // the file, never where the server keeps it (issue 31)
                assertThat(get(server, "/health").statusCode()).isEqualTo(200);
                // a missing or corrupt file waits for an operator (the systemd gate then leaves the unit up, not restarting)
                assertThat(json(ready).path("needs_operator").asBoolean(false)).as(file.getFileName().toString()).isTrue();
                assertThat(json(ready).path("checks").path("roster").asText()).contains("restart validatord");
                HttpResponse<String> r = post(server, "/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + order(1)
                        + ",\"worker_ids\":[\"W000010\"]}}");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(json(r).path("code").asText()).isEqualTo("roster_unavailable");
                assertThat(json(r).path("detail").asText()).contains(file.getFileName().toString())
                        .doesNotContain(file.getParent().toString());
            } finally {
                server.stop();
            }
        }
    }

    static Stream<Arguments> badInputs() {
        String ids = ",\"worker_ids\":[\"W000010\"]";
        String ord = "{\"order_id\":\"O-1\",\"role\":\"welder\",\"lat\":40,\"lon\":-83,\"radius_miles\":25,\"headcount\":2";
        return Stream.of(
                Arguments.of("/v1/validate", "{\"kind\":\"poem\"}", "invalid_field", "kind"),
                Arguments.of("/v1/validate", "{}", "missing_field", "kind"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"worker_ids\":[]}}", "missing_field", "fill.order"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord + "}}}", "missing_field",
                        "fill.worker_ids"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\"}", "missing_field", "fill"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord + "},\"worker_ids\":\"W000010\"}}",
                        null, "worker_ids"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord + "},\"worker_ids\":[\"W000010\",7]}}",
                        null, "worker_ids[1]"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord + "},\"worker_ids\":[null]}}",
                        "missing_field", "worker_ids[0]"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord + "},\"worker_ids\":["
                        + "\"W000001\",".repeat(1_000) + "\"W000001\"]}}", "invalid_field", "at most 1000"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord.replace("\"radius_miles\":25",
                        "\"radius_miles\":-5") + "}" + ids + "}}", "invalid_field", "radius_miles"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord.replace("\"radius_miles\":25",
                        "\"radius_miles\":1e6") + "}" + ids + "}}", "invalid_field", "radius_miles"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord.replace("\"headcount\":2",
                        "\"headcount\":0") + "}" + ids + "}}", "invalid_field", "headcount"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord.replace("\"headcount\":2",
                        "\"headcount\":5000000") + "}" + ids + "}}", "invalid_field", "headcount"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord.replace("\"lat\":40",
                        "\"lat\":91") + "}" + ids + "}}", "invalid_field", "fill.order.lat"),
                Arguments.of("/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + ord.replace("\"lat\":40",
                        "\"lat\":-90.5") + "}" + ids + "}}", "invalid_field", "lat"),
                Arguments.of("/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"W000010\",\"subject\":\"s\","
                        + "\"body\":\"" + "x".repeat(102_401) + "\"}}", "invalid_field", "100 KB"),
                Arguments.of("/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"bob\",\"subject\":\"s\","
                        + "\"body\":\"b\"}}", "invalid_field", "to_worker_id"),
                Arguments.of("/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"W000010\",\"body\":\"b\"}}",
                        "missing_field", "subject"),
                Arguments.of("/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"x\",\"context\":{\"order\":" + ord
                        + "}},\"max_attempts\":6}", "invalid_field", "max_attempts"),
                Arguments.of("/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"x\",\"context\":{}}", "invalid_field",
                        "context.order"),
                Arguments.of("/v1/iterate", "{\"kind\":\"email\",\"instruction\":\"x\",\"context\":{}}", "invalid_field",
                        "context.to_worker_id"),
                Arguments.of("/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"x\",\"context\":{\"order\":"
                        + ord.replace("\"lat\":40", "\"lat\":100") + "}}}", "invalid_field", "context.order: lat"),
                Arguments.of("/v1/iterate", "{\"kind\":\"tweet\",\"instruction\":\"x\"}", "invalid_field", "kind"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badInput_is400Problem_namingWhatIsWrong(String path, String body, String code, String mentions) throws Exception {
        TestHttp.assertProblem(post(validatord, path, body), 400, code, mentions);
        assertThat(chatd.requests).as("nothing was asked of chatd").isEmpty();
    }
}
