package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline over fixture day files holding every kind of observation the daemons make, personal
 * data in every class, and every malformed shape: conservation, quarantine reasons, the firewall
 * (no SSN or leaked contact in any output file), each export's format, determinism across runs and
 * thread counts, and the incremental watermark.
 */
public class PipelineTest {
    static final String SSN = "123-45-6789";
    static final String LEAKED_PHONE = "(937) 555-0142";

    @TempDir
    Path dir;

    public static String event(String id, String ts, String kind, String requestId, String payload) {
        return "{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"kind\":\"" + kind + "\",\"daemon\":\"test\""
                + (requestId == null ? "" : ",\"request_id\":\"" + requestId + "\"") + ",\"payload\":" + payload
                + ",\"received_at\":\"" + ts + "\"}";   // as observerd stores it
    }

    public static String chat(String user, String output) {
        return "{\"api\":\"lakehouse\",\"status\":200,\"provider\":\"ollama\",\"model\":\"qwen2.5:7b\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + user + "\"}],\"output\":\"" + output + "\",\"finish_reason\":\"stop\"}";
    }

    static String attempt(String run, String kind, int n, String output, boolean valid, String violations) {
        return "{\"iteration_id\":\"" + run + "\",\"n\":" + n + ",\"kind\":\"" + kind + "\",\"instruction\":\"Do it\",\"context\":{},"
                + "\"prompt\":[{\"role\":\"system\",\"content\":\"You staff orders.\"},{\"role\":\"user\",\"content\":\"Staff order O-1\"}],"
                + "\"output\":\"" + output + "\",\"violations\":" + violations + ",\"valid\":" + valid + ",\"provider\":\"ollama\","
                + "\"model\":\"qwen2.5:7b\"}";
    }

    Path fixtures() throws IOException {
        return fixtures(dir);
    }

    /** One day of observations in {@code dir}/observations: the good, the personal and the broken. */
    public static Path fixtures(Path dir) throws IOException {
        Path obs = dir.resolve("observations");
        Files.createDirectories(obs);
        String d = "2026-11-30T10:00:0";
        List<String> lines = new ArrayList<>(List.of(
                event("e01", d + "1Z", "chat.call", "r1", chat("Hi", "Hello, how can I help?")),
                event("e02", d + "2Z", "chat.call", "r2", chat("My SSN is " + SSN, "Noted")),     // PII: never SFT
                event("e03", d + "3Z", "chat.call", "r3", "{\"api\":\"lakehouse\",\"status\":502,\"messages\":[],\"error\":\"all_providers_failed\"}"),
                event("e04", d + "4Z", "iterate.attempt", null, attempt("it-fill", "fill", 1, "{\\\"worker_ids\\\":[\\\"W9\\\"]}", false,
                        "[{\"rule\":\"phantom_worker\",\"severity\":\"error\",\"path\":\"worker_ids[0]\",\"message\":\"no W9\"}]")),
                event("e05", d + "5Z", "iterate.attempt", null, attempt("it-fill", "fill", 2, "{\\\"worker_ids\\\":[\\\"W1\\\"]}", true, "[]")),
                event("e06", d + "6Z", "iterate.attempt", null, attempt("it-mail", "email", 1, "Hi Ana, call Bo at " + LEAKED_PHONE
                        + ", SSN " + SSN, false, "[{\"rule\":\"other_worker_contact\",\"severity\":\"error\",\"path\":\"body\",\"message\":\"x\"}]")),
                event("e07", d + "7Z", "iterate.attempt", null, attempt("it-mail", "email", 2, "Hi Ana, your shift is Monday.", true, "[]")),
                event("e08", d + "8Z", "iterate.attempt", null, attempt("it-bad", "fill", 1, "nonsense", false,
                        "[{\"rule\":\"unparseable_output\",\"severity\":\"error\",\"path\":\"output\",\"message\":\"no JSON\"}]")),
                event("e09", d + "9Z", "validate", null, "{\"kind\":\"fill\",\"valid\":false,\"artifact\":{\"worker_ids\":[\"W9\"]},"
                        + "\"violations\":[{\"rule\":\"phantom_worker\",\"severity\":\"error\",\"path\":\"worker_ids[0]\",\"message\":\"no W9\"}]}"),
                event("e10", "2026-11-30T10:00:10Z", "validate", null, "{\"kind\":\"email\",\"valid\":false,\"artifact\":{\"to_worker_id\":\"W1\","
                        + "\"subject\":\"s\",\"body\":\"SSN " + SSN + "\"},\"violations\":[{\"rule\":\"ssn\",\"severity\":\"error\",\"path\":\"body\","
                        + "\"message\":\"an SSN\"}]}"),
                event("e11", "2026-11-30T10:00:11Z", "retrieve", "r9", "{\"query\":\"night forklift\",\"query_role\":\"forklift operator\","
                        + "\"corpora\":[\"jobs\"],\"hits\":[{\"corpus\":\"jobs\",\"id\":\"job-1~0\",\"doc_id\":\"job-1\",\"score\":0.03,"
                        + "\"raw_score\":0.9,\"text\":\"Night forklift job in Columbus\"}]}"),
                event("e12", "2026-11-30T10:00:12Z", "chat.call", "r9", chat("Which jobs?", "Job 1, a night forklift job.")),
                event("e13", "2026-11-30T10:00:13Z", "truth.resolve", null, "{\"subject\":\"worker:W1\",\"field\":\"phone\",\"from\":null,"
                        + "\"to\":\"6145550101\",\"value\":\"614-555-0101\",\"source\":\"roster\",\"rule\":\"priority\",\"claims\":["
                        + "{\"source\":\"roster\",\"value\":\"614-555-0101\",\"rank\":\"normal\",\"observed_at\":\"2026-10-01T00:00:00Z\"}]}"),
                event("e14", "2026-11-30T10:00:14Z", "chat.call", "r1", chat("Hi", "Hello, how can I help?")),   // a duplicate of e01
                event("e21", "2026-11-30T10:00:21Z", "memory.playbook", null, "{\"memory_id\":\"playbook-it-fill\",\"version\":1,"
                        + "\"role\":\"forklift operator\",\"text\":\"Filled order O-1 with W1.\",\"playbook\":{\"order\":{\"order_id\":\"O-1\"},"
                        + "\"workers\":[\"W1\"],\"outcome\":\"filled\"}}"),
                // personal data in the other classes too: a retrieved passage, a claim, a playbook, a fill run's prompt
                event("e22", "2026-11-30T10:00:22Z", "retrieve", "r10", "{\"query\":\"payroll\",\"corpora\":[\"hr\"],\"hits\":[{\"corpus\":"
                        + "\"hr\",\"id\":\"hr-1~0\",\"doc_id\":\"hr-1\",\"score\":0.03,\"raw_score\":0.9,\"text\":\"Bo's SSN is " + SSN + "\"}]}"),
                event("e23", "2026-11-30T10:00:23Z", "chat.call", "r10", chat("Payroll?", "See the HR file.")),
                event("e24", "2026-11-30T10:00:24Z", "truth.resolve", null, "{\"subject\":\"worker:W2\",\"field\":\"ssn\",\"value\":\""
                        + SSN + "\",\"source\":\"crm\",\"rule\":\"priority\",\"claims\":[]}"),
                event("e25", "2026-11-30T10:00:25Z", "memory.playbook", null, "{\"memory_id\":\"pb-2\",\"role\":\"welder\",\"text\":\"SSN "
                        + SSN + "\",\"playbook\":{\"order\":{\"note\":\"" + SSN + "\"},\"workers\":[\"W2\"],\"outcome\":\"filled\"}}"),
                event("e26", "2026-11-30T10:00:26Z", "iterate.attempt", null, attempt("it-fill-pii", "fill", 1, "{\\\"worker_ids\\\":[\\\"W1\\\"]}",
                        true, "[]").replace("Staff order O-1", "Staff order O-1 for SSN " + SSN)),
                event("e19", "2026-11-30T10:00:19Z", "chat.call", "r-it", chat("Staff order O-2", "BADFILL")),   // an iterate run's call
                event("e20", "2026-11-30T10:00:20Z", "iterate.attempt", "r-it", attempt("it-rq", "fill", 1, "BADFILL", false,
                        "[{\"rule\":\"phantom_worker\",\"severity\":\"error\",\"path\":\"worker_ids[0]\",\"message\":\"x\"}]")),
                "{not json",
                event("e15", "2026-11-30T10:00:15Z", "fuzz.event", null, "{}"),
                event("e16", "2026-11-30T10:00:16Z", "iterate.attempt", null, attempt("it-orphan", "fill", 3, "x", true, "[]")),
                "{\"event_id\":\"e17\",\"kind\":\"chat.call\",\"payload\":{}}",
                event("e18", "2026-11-30T10:00:18Z", "chat.call", null, "{\"blob\":\"" + "x".repeat(10 << 20) + "\"}")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String l : lines) {
            out.write(l.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        out.write(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});   // invalid UTF-8
        out.write("{\"event_id\":\"torn".getBytes(StandardCharsets.UTF_8));                             // a torn last line
        Files.write(obs.resolve("2026-11-30.jsonl"), out.toByteArray());
        return obs;
    }

    ObjectNode run(Path obs, String name, boolean full, int threads) throws IOException {
        return Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, dir.resolve(name), dir.resolve(name + "-watermark.json"), Pipeline.Stage.ALL, null,
                full, threads,
                Set.of("badprovider"), null), (stage, done, total) -> { }));
    }

    /** The evidence line is encoded from a tree built field by field: the same bytes as Jackson's own record serialization. */
    @Test
    void evidenceTree_isWhatJacksonMakesOfTheRecord_nullsAndAllTypes() throws Exception {
        JsonNode content = Json.mapper().readTree("{\"z\":1,\"a\":[1.5,-0.0,1e300,null,\"\\u00e9\\ud83d\\ude00\"],\"m\":{\"n\":null,"
                + "\"big\":123456789012345678901234567890,\"t\":true}}");
        List<Evidence> records = new ArrayList<>();
        for (Evidence.Type type : Evidence.Type.values()) {
            records.add(new Evidence("e".repeat(32), "h".repeat(64), type, "req-1", "2026-12-07T00:00:00Z", List.of("ev-1", "ev-2"), content));
        }
        records.add(new Evidence("id", "hash", Evidence.Type.CHAT, null, null, List.of(), content));
        records.add(new Evidence(null, null, null, null, null, null, null));
        records.add(new Evidence("id", "hash", Evidence.Type.TRUTH, "r", "t", List.of("x"), Json.mapper().readTree("[]")));
        for (Evidence e : records) {
            assertThat(new String(dev.lakehouse.distillation.CanonicalJson.bytes(Pipeline.tree(e)), StandardCharsets.UTF_8)).as(e.toString())
                    .isEqualTo(new String(dev.lakehouse.distillation.CanonicalJson.bytes(Json.mapper().valueToTree(e)), StandardCharsets.UTF_8));
            if (e.content() != null) {   // the line spliced from the content encoded once is the same bytes
                assertThat(new String(Pipeline.line(e, dev.lakehouse.distillation.CanonicalJson.bytes(e.content())), StandardCharsets.UTF_8))
                        .as(e.toString()).isEqualTo(new String(dev.lakehouse.distillation.CanonicalJson.bytes(Pipeline.tree(e)), StandardCharsets.UTF_8));
            }
        }
        Evidence onlyContent = new Evidence(null, null, null, null, null, null, content);
        assertThat(Pipeline.line(onlyContent, dev.lakehouse.distillation.CanonicalJson.bytes(content)))
                .isEqualTo(dev.lakehouse.distillation.CanonicalJson.bytes(Pipeline.tree(onlyContent)));
    }

    @Test
    void everyLineEndsSomewhere_andEachMalformedShapeHasItsReason() throws Exception {
        JsonNode m = run(fixtures(), "r", true, 1).path("stages").path("materialize");
        assertThat(m.path("lines").asLong()).as("the torn last line is not read").isEqualTo(28);
        assertThat(m.path("conserved").asBoolean()).isTrue();
        assertThat(m.path("duplicate_events").asLong()).isEqualTo(1);
        assertThat(m.path("quarantine_by_reason").toString()).contains("\"bad_json\":1", "\"bad_utf8\":1", "\"unknown_kind\":1",
                "\"orphan_attempt\":1", "\"missing_field\":1", "\"too_large\":1");
        assertThat(m.path("evidence_by_type").toString()).contains("\"chat\":3", "\"iterate\":5", "\"validation\":2", "\"retrieval\":2",
                "\"truth\":2", "\"playbook\":2");
        List<JsonNode> quarantine = lines(dir.resolve("r/quarantine.jsonl"));
        assertThat(quarantine).allSatisfy(q -> assertThat(q.path("raw").asText()).isNotEmpty());
    }

    @Test
    void theFirewall_keepsEveryNeverSftRecordOutOfSft_andNoOutputFileHoldsAnSsnOrALeakedContact() throws Exception {
        ObjectNode summary = run(fixtures(), "r", true, 1);
        for (String f : Exporter.FILES) {
            String text = Files.readString(dir.resolve("r").resolve(f));
            assertThat(text).as(f).doesNotContain(SSN).doesNotContain(LEAKED_PHONE);
            if (f.startsWith("sft/")) {
                assertThat(text).as("an iterate run's chat call, whose output failed, is the run's provenance, not a sample")
                        .doesNotContain("BADFILL");
            }
        }
        List<JsonNode> sft = lines(dir.resolve("r/sft/trl.jsonl"));
        Set<String> classes = new HashSet<>();
        sft.forEach(s -> classes.add(s.path("metadata").path("class").asText()));
        assertThat(classes).containsExactlyInAnyOrder("chat_answer", "fill_generation", "fill_validation", "retrieval_answer",
                "claim_reconciliation", "playbook_recall");
        assertThat(sft).noneSatisfy(s -> assertThat(s.path("metadata").path("category").asText()).isIn("failed", "pii", "flagged"));
        assertThat(summary.path("stages").path("score").path("by_category").path("pii").asLong())
                .as("one in every class: a chat, a fill run's prompt, an e-mail run, an e-mail validation, a passage, a claim, a playbook")
                .isEqualTo(7);
        assertThat(lines(dir.resolve("r/sft/openai.jsonl"))).hasSameSizeAs(sft)
                .allSatisfy(o -> assertThat(o.properties()).extracting(Map.Entry::getKey).containsExactly("messages"));
    }

    @Test
    void preference_pairsAFailedAttemptWithTheValidOneAfterIt_neverOfARunThatLeakedAnSsn() throws Exception {
        JsonNode summary = run(fixtures(), "r", true, 1);
        List<JsonNode> trl = lines(dir.resolve("r/preference/trl.jsonl"));
        // the e-mail run's rejected attempt leaked a phone number and an SSN: the run is pii, and no pair of it is exported
        assertThat(trl).hasSize(1);
        assertThat(summary.path("stages").path("export").path("preference_refused").asLong()).isEqualTo(1);
        assertThat(trl.get(0).path("prompt").get(0).path("role").asText()).isEqualTo("system");
        assertThat(Files.readString(dir.resolve("r/preference/trl.jsonl"))).doesNotContain("Hi Ana, your shift is Monday.");
        JsonNode dpo = lines(dir.resolve("r/preference/openai.jsonl")).get(0);
        assertThat(dpo.has("input") && dpo.has("preferred_output") && dpo.has("non_preferred_output")).isTrue();
    }

    @Test
    void rag_isBeir_andEveryQrelPointsAtAQueryAndADocument() throws Exception {
        run(fixtures(), "r", true, 1);
        List<JsonNode> corpus = lines(dir.resolve("r/rag/corpus.jsonl"));
        List<JsonNode> queries = lines(dir.resolve("r/rag/queries.jsonl"));
        assertThat(corpus).singleElement().satisfies(c -> assertThat(c.path("text").asText()).isEqualTo("Night forklift job in Columbus"));
        assertThat(queries).singleElement().satisfies(q -> assertThat(q.path("text").asText()).isEqualTo("night forklift"));
        // the run's only query is held out (the first query of a run always is); the answer used the passage: 1
        List<String> qrels = Files.readAllLines(dir.resolve("r/rag/qrels/test.tsv"));
        assertThat(qrels.get(0)).isEqualTo("query-id\tcorpus-id\tscore");
        assertThat(qrels.subList(1, qrels.size())).singleElement().isEqualTo(queries.get(0).path("_id").asText() + "\t"
                + corpus.get(0).path("_id").asText() + "\t1");
        assertThat(Files.readAllLines(dir.resolve("r/rag/qrels/train.tsv"))).containsExactly("query-id\tcorpus-id\tscore");
    }

    @Test
    void theSameInput_givesTheSameBytes_onAnyRun_andAnyNumberOfThreads() throws Exception {
        Path obs = fixtures();
        run(obs, "a", true, 1);
        run(obs, "b", true, 1);
        run(obs, "c", true, 4);
        List<String> files = new ArrayList<>(Exporter.FILES);
        files.addAll(List.of("evidence.jsonl", "quarantine.jsonl", "scored.jsonl"));
        for (String f : files) {
            byte[] a = Files.readAllBytes(dir.resolve("a").resolve(f));
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(f))).as(f).isEqualTo(a);
            assertThat(Files.readAllBytes(dir.resolve("c").resolve(f))).as(f + " with 4 threads").isEqualTo(a);
        }
    }

    /**
     * With more than one thread the materializer parses each batch of lines on the pool while it applies the batch before
     * (Materializer.parseOn): over two day files of a few thousand lines — every kind, joins in both orders, iterate runs,
     * malformed lines, a line past 4 MiB of a batch — the same bytes in every file and the same watermark as one thread.
     */
    @Test
    void parsingAhead_onThePool_givesTheBytesOfParsingLineByLine() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("many"));
        java.util.Random r = new java.util.Random(5);
        for (String day : List.of("2026-11-29", "2026-11-30")) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 2_500; i++) {
                String ts = day + "T10:%02d:%02dZ".formatted(i / 60 % 60, i % 60);
                String id = day + "-" + i;
                b.append(switch (r.nextInt(9)) {
                    case 0 -> event(id, ts, "chat.call", "rq-" + r.nextInt(300), chat("Q" + r.nextInt(500), "A" + i));
                    case 1 -> event(id, ts, "retrieve", "rq-" + r.nextInt(300), "{\"query\":\"q" + i + "\",\"hits\":[]}");
                    case 2 -> event(id, ts, "iterate.attempt", null, attempt("run-" + r.nextInt(200), "fill", 1 + r.nextInt(2), "o" + i,
                            r.nextBoolean(), "[]"));
                    case 3 -> event(id, ts, "validate", null, "{\"kind\":\"fill\",\"valid\":" + r.nextBoolean() + ",\"n\":" + i + "}");
                    case 4 -> "{broken " + i;
                    case 5 -> event(id, ts, "chat.call", null, chat("Hi", "x".repeat(r.nextInt(3) == 0 ? 300_000 : 10)));
                    case 6 -> event(id, ts, "truth.resolve", null, "{\"subject\":\"worker:W" + r.nextInt(50) + "\",\"value\":" + i + "}");
                    case 7 -> event(id, ts, "fuzz.kind", null, "{}");
                    default -> event(id, ts, "chat.call", null, chat("Q" + r.nextInt(100), "A" + r.nextInt(100)));   // duplicates
                }).append('\n');
            }
            Files.writeString(obs.resolve(day + ".jsonl"), b.toString());
        }
        JsonNode one = run(obs, "one", true, 1);
        JsonNode three = run(obs, "three", true, 3);
        List<String> files = new ArrayList<>(Exporter.FILES);
        files.addAll(List.of("evidence.jsonl", "quarantine.jsonl", "scored.jsonl"));
        for (String f : files) {
            if (Files.exists(dir.resolve("one").resolve(f))) {
                assertThat(Files.readAllBytes(dir.resolve("three").resolve(f))).as(f).isEqualTo(Files.readAllBytes(dir.resolve("one").resolve(f)));
            }
        }
        assertThat(three.path("stages").path("materialize")).isEqualTo(((ObjectNode) one.path("stages").path("materialize").deepCopy())
                .put("took_ms", three.path("stages").path("materialize").path("took_ms").asLong()));
        assertThat(Files.readString(dir.resolve("three-watermark.json"))).isEqualTo(Files.readString(dir.resolve("one-watermark.json")));
        assertThat(one.path("stages").path("materialize").path("lines").asLong()).isEqualTo(5_000);
    }

    @Test
    void aSecondRun_readsOnlyWhatCameSince_andFullReadsEverythingAgain() throws Exception {
        Path obs = fixtures();
        assertThat(run(obs, "w", false, 1).path("stages").path("materialize").path("lines").asLong()).isEqualTo(28);
        assertThat(run(obs, "w", false, 1).path("stages").path("materialize").path("lines").asLong()).isZero();
        Files.writeString(obs.resolve("2026-11-30.jsonl"), "\",\"ts\":\"x\"}\n" + event("e30", "2026-11-30T11:00:00Z", "chat.call",
                null, chat("Later", "Yes")) + "\n", StandardOpenOption.APPEND);
        JsonNode m = run(obs, "w", false, 1).path("stages").path("materialize");
        assertThat(m.path("lines").asLong()).as("the line torn before, now complete (and malformed), and a new one").isEqualTo(2);
        assertThat(m.path("evidence").asLong()).isEqualTo(1);
        assertThat(run(obs, "w", true, 1).path("stages").path("materialize").path("lines").asLong()).isEqualTo(30);
    }

    @Test
    void aRetrieval_joinsItsChatCall_whicheverObserverDeliveredFirst() throws Exception {
        Path obs = dir.resolve("order");
        Files.createDirectories(obs);
        String retrieve = "{\"query\":\"night\",\"corpora\":[\"jobs\"],\"hits\":[{\"corpus\":\"jobs\",\"id\":\"j~0\",\"doc_id\":\"j\","
                + "\"score\":0.1,\"raw_score\":0.9,\"text\":\"Night job\"}]}";
        Files.writeString(obs.resolve("2026-11-30.jsonl"), event("c1", "2026-11-30T10:00:02Z", "chat.call", "rq", chat("Which?", "Night."))
                + "\n" + event("r1", "2026-11-30T10:00:01Z", "retrieve", "rq", retrieve) + "\n");
        JsonNode m = run(obs, "o", true, 1).path("stages").path("materialize");
        assertThat(m.path("evidence_by_type").toString()).isEqualTo("{\"retrieval\":1}");
        assertThat(lines(dir.resolve("o/rag/queries.jsonl"))).hasSize(1);
    }

    @Test
    void whatAReplayMadeChatdAndValidatordObserve_isCountedApart_neverEvidence() throws Exception {
        Path obs = dir.resolve("replayed");
        Files.createDirectories(obs);
        Files.writeString(obs.resolve("2026-11-30.jsonl"), event("c1", "2026-11-30T10:00:01Z", "chat.call", null, chat("Hi", "Hello."))
                + "\n" + event("c2", "2026-11-30T10:00:02Z", "chat.call", "replay-20261201T000000Z-0001-7", chat("Hi", "Hey there."))
                + "\n" + event("v1", "2026-11-30T10:00:03Z", "validate", "replay-20261201T000000Z-0001-8", "{\"kind\":\"fill\",\"valid\":true,"
                + "\"artifact\":{\"worker_ids\":[\"W1\"]},\"violations\":[]}") + "\n");
        JsonNode m = run(obs, "rp", true, 1).path("stages").path("materialize");
        assertThat(m.path("replay_events").asLong()).isEqualTo(2);
        assertThat(m.path("evidence").asLong()).isEqualTo(1);
        assertThat(m.path("conserved").asBoolean()).isTrue();
    }

    @Test
    void whatAShadowCopyMadeDaemonsObserve_isCountedApart_neverEvidence() throws Exception {
        Path obs = dir.resolve("shadowed");
        Files.createDirectories(obs);
        String shadowChat = event("c2", "2026-11-30T10:00:02Z", "chat.call", "rq-2", chat("Hi", "Hey there."));
        String shadowValidate = event("v1", "2026-11-30T10:00:03Z", "validate", "rq-3", "{\"kind\":\"fill\",\"valid\":true,"
                + "\"artifact\":{\"worker_ids\":[\"W1\"]},\"violations\":[]}");
        Files.writeString(obs.resolve("2026-11-30.jsonl"), event("c1", "2026-11-30T10:00:01Z", "chat.call", null, chat("Hi", "Hello."))
                + "\n" + shadowChat.replace(",\"payload\"", ",\"shadow\":true,\"payload\"")
                + "\n" + shadowValidate.replace(",\"payload\"", ",\"shadow\":true,\"payload\"")
                + "\n" + event("v2", "2026-11-30T10:00:04Z", "validate", "rq-4", "{\"kind\":\"fill\",\"valid\":true,"
                + "\"artifact\":{\"worker_ids\":[\"W1\"]},\"violations\":[]}").replace(",\"payload\"", ",\"shadow\":false,\"payload\"") + "\n");
        JsonNode m = run(obs, "sh", true, 1).path("stages").path("materialize");
        assertThat(m.path("shadow_events").asLong()).as(m.toString()).isEqualTo(2);
        assertThat(m.path("evidence").asLong()).as("the unshadowed chat call and the validate with shadow false").isEqualTo(2);
        assertThat(m.path("conserved").asBoolean()).isTrue();
        assertThat(Files.readString(dir.resolve("sh/evidence.jsonl"))).doesNotContain("Hey there.");
    }

    static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(Json.mapper().readTree(l));
        }
        return out;
    }
}
