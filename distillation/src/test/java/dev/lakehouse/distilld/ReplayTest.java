package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLog;
import dev.lakehouse.common.RequestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay over the realistic fixture run against scripted peers: every diff class, a provider and a validator that are
 * down (items marked, the replay goes on), regressions flagged for review, a seeded selection, a resume after a crash
 * that left a torn line, and nothing written outside the replay's directory.
 */
class ReplayTest {
    @TempDir
    Path dir;
    Path run;

    @BeforeEach
    void run() throws IOException {
        run = AcceptanceTest.run("realistic", dir);
    }

    /**
     * chatd: answers a chat or retrieval call whose question has an even number (#0, #2…) with its recorded answer ("" when
     * it had none) and an odd one with another answer; a fill prompt with two good workers, except for orders O-0001 and
     * O-0009 (a phantom worker); an e-mail prompt with a good e-mail. validatord: a fill naming W999999 or W999998 is a
     * phantom, an e-mail body with a '$' discloses pay; all else is valid.
     */
    static final class Scripted implements Replay.Peers {
        final Map<String, String> recorded;
        final Set<String> requestIds = ConcurrentHashMap.newKeySet();
        final Set<String> callers = ConcurrentHashMap.newKeySet();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean chatDown;
        volatile boolean validatorDown;

        Scripted(Path run) throws IOException {
            Map<String, String> m = new ConcurrentHashMap<>();
            for (JsonNode e : PipelineTest.lines(run.resolve("evidence.jsonl"))) {
                JsonNode chat = e.path("type").asText().equals("retrieval") ? e.path("content").path("answer") : e.path("content");
                JsonNode msgs = chat.path("messages");
                if (msgs.isArray() && !msgs.isEmpty()) {
                    m.put(msgs.get(msgs.size() - 1).path("content").asText(), chat.path("output").asText(""));
                }
            }
            this.recorded = m;
        }

        @Override
        public Replay.Answer chat(ArrayNode messages, String provider, String model) {
            calls.incrementAndGet();
            requestIds.add(RequestContext.currentId().orElse("none"));
            callers.add(RequestContext.caller().orElse("none") + " " + RequestContext.route().orElse("none"));
            if (chatDown) {
                throw new ApiException.Unavailable("chatd", "peer_unavailable", "chatd at http://127.0.0.1:9 is unreachable", Map.of(), null);
            }
            String last = messages.get(messages.size() - 1).path("content").asText();
            String system = messages.get(0).path("content").asText();
            if (system.startsWith("You staff orders")) {
                boolean bad = last.contains("O-0001 ") || last.contains("O-0009 ");
                return new Replay.Answer("{\"worker_ids\":[\"" + (bad ? "W999999" : "W000010") + "\",\"W000011\"]}", "ollama", "qwen3:8b");
            }
            if (system.startsWith("You write e-mails")) {
                return new Replay.Answer("{\"subject\":\"Monday\",\"body\":\"Hi, see you Monday.\"}", "ollama", "qwen3:8b");
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("#(\\d+)").matcher(last);
            boolean odd = m.find() && Integer.parseInt(m.group(1)) % 2 == 1;
            return new Replay.Answer(odd ? "Something else entirely." : recorded.getOrDefault(last, ""), "ollama", "qwen3:8b");
        }

        @Override
        public Replay.Verdict validate(String kind, JsonNode artifact) {
            calls.incrementAndGet();
            requestIds.add(RequestContext.currentId().orElse("none"));
            if (validatorDown) {
                throw new ApiException.Unavailable("validatord", "peer_unavailable", "validatord is unreachable", Map.of(), null);
            }
            String text = artifact.toString();
            ArrayNode v = Json.mapper().createArrayNode();
            if (text.contains("W999999") || text.contains("W999998")) {
                v.addObject().put("rule", "phantom_worker").put("severity", "error").put("path", "worker_ids[0]").put("message", "m");
            } else if (text.contains("$")) {
                v.addObject().put("rule", "pay_disclosure").put("severity", "error").put("path", "body").put("message", "m");
            }
            return new Replay.Verdict(v.isEmpty(), v);
        }
    }

    static Replay.Options all(int sample, long seed) {
        return new Replay.Options(null, null, null, sample, seed, 4, 0, null, null);
    }

    static Map<String, Long> byDiff(JsonNode summary) {
        Map<String, Long> out = new TreeMap<>();
        summary.path("by_diff").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    /** Every file of the run outside its replays directory, with its SHA-256. */
    Map<String, String> runFiles() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(run)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                if (!run.relativize(p).startsWith("replays")) {
                    out.put(run.relativize(p).toString(), RunView.sha256(p));
                }
            }
        }
        return out;
    }

    @Test
    void replayingEveryRecord_classifiesEachDiff_flagsExportedRegressions_andWritesOnlyItsOwnDirectory() throws Exception {
        Map<String, String> before = runFiles();
        Scripted peers = new Scripted(run);
        JsonNode s = Json.mapper().valueToTree(Replay.run(run, "replay-20261201T000000Z-0001", all(0, 1), peers, (a, b) -> { }));
        assertThat(byDiff(s)).isEqualTo(Map.of("same", 54L, "changed_still_valid", 48L, "fixed", 4L, "regressed", 2L));
        assertThat(s.path("selected").asLong()).as("three retrievals no chat call answered have no prompt").isEqualTo(108);
        assertThat(s.path("regressions_by_class").toString()).isEqualTo("{\"fill_generation\":2}");
        assertThat(s.path("regressions_by_provider").toString()).isEqualTo("{\"ollama\":2}");
        assertThat(s.path("flagged_for_review")).hasSize(2);
        Path d = run.resolve("replays/replay-20261201T000000Z-0001");
        List<JsonNode> flagged = PipelineTest.lines(d.resolve("flagged.jsonl"));
        assertThat(flagged).extracting(f -> f.path("exported_in").toString()).containsExactlyInAnyOrder("[\"sft\"]", "[\"sft\",\"preference\"]");
        assertThat(peers.requestIds).allMatch(id -> id.startsWith("replay-20261201T000000Z-0001-")).hasSize(108);
        try (var files = Files.list(d)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).isEqualTo(List.of("flagged.jsonl", "replay.json",
                    "replay_runs.jsonl", "summary.json"));
        }
        assertThat(runFiles()).as("nothing of the run outside replays/ changed").isEqualTo(before);
        RunView view = new RunView(run, dir.resolve("work"));
        assertThat(Acceptance.check(view, Acceptance.named("replay_confined")).passed()).isTrue();
        assertThat(Acceptance.check(view, Acceptance.named("replay_regressions_flagged")).passed()).isTrue();
        Replay.Item regressed = JsonLog.readAll(d.resolve("replay_runs.jsonl"), Replay.Item.class).stream()
                .filter(i -> i.diff().equals("regressed")).findFirst().orElseThrow();
        assertThat(regressed.oldValid()).isTrue();
        assertThat(regressed.newValid()).isFalse();
        assertThat(regressed.newViolations().toString()).contains("phantom_worker");
        assertThat(regressed.model()).isEqualTo("qwen3:8b");
        for (JsonNode line : PipelineTest.lines(d.resolve("replay_runs.jsonl"))) {
            assertThat(Schemas.errors("replay_item", line)).as(line.toString()).isEmpty();
        }
    }

    /** chatd charges a replay's calls to the key that started it: its workers carry the caller the request came with. */
    @Test
    void aReplaysCalls_carryTheCallerAndRouteThatStartedIt() throws Exception {
        Scripted peers = new Scripted(run);
        Thread job = Thread.ofPlatform().start(() -> {   // as distilld's job thread, started from the request's
            RequestContext.origin("alice", "/v1/distill");
            try {
                Replay.run(run, "replay-20261201T000000Z-0009", all(0, 1), peers, (a, b) -> { });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        job.join();
        assertThat(peers.calls.get()).isPositive();
        assertThat(peers.callers).containsExactly("alice /v1/distill");
    }

    @Test
    void aProviderThatIsDown_marksItsItems_andTheReplayGoesOn() throws Exception {
        Scripted peers = new Scripted(run);
        peers.chatDown = true;
        JsonNode s = Json.mapper().valueToTree(Replay.run(run, "replay-20261201T000000Z-0002", all(0, 1), peers, (a, b) -> { }));
        assertThat(byDiff(s)).isEqualTo(Map.of("error", 88L, "same", 20L));
        Replay.Item e = JsonLog.readAll(run.resolve("replays/replay-20261201T000000Z-0002/replay_runs.jsonl"), Replay.Item.class).stream()
                .filter(i -> i.diff().equals("error")).findFirst().orElseThrow();
        assertThat(e.error()).startsWith("peer_unavailable: chatd");
        assertThat(e.newValid()).isNull();
        assertThat(Schemas.errors("replay_item", Json.mapper().valueToTree(e))).isEmpty();
    }

    @Test
    void aValidatorThatIsDown_marksTheItemsThatNeedIt() throws Exception {
        Scripted peers = new Scripted(run);
        peers.validatorDown = true;
        JsonNode s = Json.mapper().valueToTree(Replay.run(run, "replay-20261201T000000Z-0003", all(0, 1), peers, (a, b) -> { }));
        assertThat(s.path("by_diff").path("error").asLong()).as("15 fills, 8 e-mails, 20 validations").isEqualTo(43);
        assertThat(s.path("replayed").asLong()).isEqualTo(108);
    }

    @Test
    void selection_isSeeded_bySampleSizeClassAndTime() throws Exception {
        List<String> a = Replay.select(run, all(10, 7)).stream().map(c -> c.scored().evidence().evidenceId()).toList();
        List<String> b = Replay.select(run, all(10, 7)).stream().map(c -> c.scored().evidence().evidenceId()).toList();
        List<String> c = Replay.select(run, all(10, 8)).stream().map(x -> x.scored().evidence().evidenceId()).toList();
        assertThat(a).hasSize(10).isEqualTo(b).isNotEqualTo(c);
        List<Replay.Candidate> fills = Replay.select(run, new Replay.Options(List.of(Scored.SourceClass.FILL_GENERATION), null, null, 0, 1,
                1, 0, null, null));
        assertThat(fills).hasSize(15).allMatch(x -> x.scored().sourceClass() == Scored.SourceClass.FILL_GENERATION);
        List<Replay.Candidate> day = Replay.select(run, new Replay.Options(null, java.time.Instant.parse("2026-11-30T00:00:00Z"),
                java.time.Instant.parse("2026-12-01T00:00:00Z"), 0, 1, 1, 0, null, null));
        assertThat(day).isNotEmpty().allMatch(x -> x.scored().evidence().ts().startsWith("2026-11-30"));
        assertThat(day.size()).isLessThan(108);
    }

    @Test
    void aReplayStoppedByACrash_resumesWhereItsLogEnds_withoutReplayingAnythingTwice() throws Exception {
        String id = "replay-20261201T000000Z-0004";
        Replay.run(run, id, all(0, 1), new Scripted(run), (a, b) -> { });
        Path d = run.resolve("replays").resolve(id);
        List<String> lines = Files.readAllLines(d.resolve("replay_runs.jsonl"));
        // what a kill -9 leaves: five items written, a sixth torn, no summary
        Files.writeString(d.resolve("replay_runs.jsonl"), String.join("\n", lines.subList(0, 5)) + "\n" + lines.get(5).substring(0, 40));
        Files.delete(d.resolve("summary.json"));
        Files.delete(d.resolve("flagged.jsonl"));
        Scripted peers = new Scripted(run);
        JsonNode s = Json.mapper().valueToTree(Replay.run(run, id, null, peers, (a, b) -> { }));   // the options recorded in replay.json
        assertThat(peers.requestIds).as("only what was not written").hasSize(103);
        assertThat(s.path("replayed").asLong()).isEqualTo(108);
        List<Replay.Item> items = JsonLog.readAll(d.resolve("replay_runs.jsonl"), Replay.Item.class);
        assertThat(items.stream().map(Replay.Item::evidenceId).distinct().count()).isEqualTo(108);
        assertThat(byDiff(s)).isEqualTo(Map.of("same", 54L, "changed_still_valid", 48L, "fixed", 4L, "regressed", 2L));
    }

    /** Issue 29: replay never sends a record's personal data to a provider, never replays a pii record, and stores outputs masked. */
    @Test
    void replay_sendsMaskedConversations_skipsPiiRecords_andStoresMaskedOutputs() throws Exception {
        Path pii = AcceptanceTest.run("pii_everywhere", dir.resolve("pii"));
        // and a user who gave their own number: a record that is not pii (no SSN), whose conversation is replayed
        Path obs = Files.createDirectories(dir.resolve("own"));
        Files.writeString(obs.resolve("2026-11-30.jsonl"), PipelineTest.event("o1", "2026-11-30T10:00:00Z", "chat.call", null,
                PipelineTest.chat("Text me at 415.555.0132 about Monday", "Will do.")) + "\n");
        Path own = dir.resolve("own-run");
        Pipeline.run(new Pipeline.Options(obs, own, dir.resolve("own-wm.json"), Pipeline.Stage.ALL, null, true, 1, Set.of(), null),
                (a, b, c) -> { });
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        Replay.Peers peers = new Replay.Peers() {
            @Override
            public Replay.Answer chat(ArrayNode messages, String provider, String model) {
                sent.add(messages.toString());
                return new Replay.Answer("Call Dana on 614.555.0199 or dana.k@example.com", "ollama", "m");   // today's model leaks
            }

            @Override
            public Replay.Verdict validate(String kind, JsonNode artifact) {
                return new Replay.Verdict(true, Json.mapper().createArrayNode());
            }
        };
        JsonNode summary = Json.mapper().valueToTree(Replay.run(pii, "replay-20261206T040000Z-abcd", all(0, 1), peers, (done, total) -> { }));
        assertThat(summary.path("selected").asLong()).isPositive();
        assertThat(sent).isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain("123-45-6789", "987 65 4321", "dana.k@example.com",
                "614.555.0199", "(937) 555-0142"));
        assertThat(String.join("\n", sent)).contains("Contact for the site?").doesNotContain("My SSN");   // pii records: not replayed
        String stored = Files.readString(pii.resolve("replays/replay-20261206T040000Z-abcd/replay_runs.jsonl"));
        assertThat(stored).doesNotContain("dana.k@example.com", "614.555.0199", "123-45-6789").contains("[PHONE_1]", "[EMAIL_1]");

        sent.clear();
        Replay.run(own, "replay-20261206T040000Z-abce", all(0, 1), peers, (done, total) -> { });
        assertThat(sent).singleElement().satisfies(m -> assertThat(m).contains("Text me at [PHONE_1] about Monday")
                .doesNotContain("415.555.0132"));
        assertThat(Files.readString(own.resolve("replays/replay-20261206T040000Z-abce/replay_runs.jsonl")))
                .doesNotContain("415.555.0132", "614.555.0199");
    }
}
