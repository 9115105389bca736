package dev.lakehouse.distilld;

import static dev.lakehouse.distilld.PipelineTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 29's bad inputs through the whole pipeline: personal data in every field of every kind of observation, a
 * roster whose workers' contacts appear in answers written another way, iterate attempts and their chat calls in
 * every order and across two runs, cut answers. Every export file is then read by an oracle written here — every
 * digit run of the file with its separators removed, against the raw values this test planted — never by the
 * privacy library.
 */
class PrivacyPipelineTest {
    /** Raw values planted in the observations, digits only (phones, SSNs) or lower case (e-mails). */
    static final List<String> PLANTED = List.of("219099999", "078051123", "4155550132", "6145550142", "2125550188", "maria.garcia1@example.com",
            "bo.k@example.org", "442079460958");

    @TempDir
    Path dir;

    Path roster() throws IOException {
        return roster("workers.parquet", "614-555-0142");
    }

    Path roster(String name, String... phones) throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType("message roster { required binary worker_id (STRING); "
                + "required binary phone (STRING); required binary email (STRING); }");
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        try (ParquetWriter<org.apache.parquet.example.data.Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withType(schema).build()) {
            SimpleGroupFactory f = new SimpleGroupFactory(schema);
            for (int i = 0; i < phones.length; i++) {
                w.write(f.newGroup().append("worker_id", String.format("W%06d", 101 + i)).append("phone", phones[i])
                        .append("email", i == 0 ? "maria.garcia1@example.com" : "w" + i + "@example.com"));
            }
        }
        return file;
    }

    static String chat(String user, String output, String finish) {
        ObjectNode p = Json.mapper().createObjectNode().put("api", "lakehouse").put("status", 200).put("provider", "ollama")
                .put("model", "m").put("output", output).put("finish_reason", finish);
        p.putArray("messages").addObject().put("role", "user").put("content", user);
        return p.toString();
    }

    static String attempt(String run, int n, String output, boolean valid) {
        ObjectNode p = Json.mapper().createObjectNode().put("iteration_id", run).put("n", n).put("kind", "email").put("instruction", "Write")
                .put("output", output).put("valid", valid).put("provider", "ollama").put("model", "m");
        p.putObject("context").put("to_worker_id", "W000101");
        var prompt = p.putArray("prompt");
        prompt.addObject().put("role", "system").put("content", "You write e-mails.");
        prompt.addObject().put("role", "user").put("content", "Tell Maria (cell 614 555 0142) about Monday");
        p.putArray("violations");
        return p.toString();
    }

    List<String> day(int hour) {
        String t = "2026-12-01T" + String.format("%02d", hour) + ":00:0";
        List<String> lines = new ArrayList<>();
        int n = 0;
        // a user who sent an SSN without dashes, with a cue: never SFT
        lines.add(event("e" + hour + "-" + n++, t + "1Z", "chat.call", null, chat("my social security number is 219099999", "Thanks.", "stop")));
        // a dotted SSN in the answer
        lines.add(event("e" + hour + "-" + n++, t + "2Z", "chat.call", null, chat("what's on file?", "SSN 078.05.1123", "stop")));
        // phones and e-mails in the answer, a roster worker's written another way: exported with placeholders
        lines.add(event("e" + hour + "-" + n++, t + "3Z", "chat.call", null, chat("How do I reach Maria?",
                "Call her on (614) 555-0142 or 6145550142, mail Maria.Garcia1@example.com; the desk is +1 415 555 0132, London +44 20 7946 0958, "
                        + "Bo is bo.k@example.org or 212.555.0188.", "stop")));
        // a cut answer: never accepted
        lines.add(event("e" + hour + "-" + n++, t + "4Z", "chat.call", null, chat("Write a long letter", "Dear all, the", "length")));
        // an iterate run whose chat calls arrive after its attempts (and its first attempt failed): no chat sample of it
        String run = "it-" + hour;
        lines.add(event("e" + hour + "-" + n++, t + "5Z", "iterate.attempt", "rq-" + hour, attempt(run, 1,
                "{\"subject\":\"Shift\",\"body\":\"Hi Maria, call Bo at 212-555-0188\"}", false)));
        lines.add(event("e" + hour + "-" + n++, t + "6Z", "iterate.attempt", "rq-" + hour, attempt(run, 2,
                "{\"subject\":\"Shift\",\"body\":\"Hi Maria, Monday at 7.\"}", true)));
        lines.add(event("e" + hour + "-" + n++, t + "7Z", "chat.call", Materializer.ITERATE_CALL_PREFIX + run,
                chat("Tell Maria about Monday", "{\"subject\":\"Shift\",\"body\":\"Hi Maria, call Bo at 212-555-0188\"}", "stop")));
        lines.add(event("e" + hour + "-" + n++, t + "8Z", "chat.call", Materializer.ITERATE_CALL_PREFIX + run,
                chat("Tell Maria about Monday", "{\"subject\":\"Shift\",\"body\":\"Hi Maria, Monday at 7.\"}", "stop")));
        return lines;
    }

    JsonNode run(Path obs, String name, Path roster) throws IOException {
        return Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, dir.resolve(name), dir.resolve("watermark.json"), Pipeline.Stage.ALL, null, false, 2,
                Set.of(), roster), (s, d, t) -> { }));
    }

    @Test
    void everyExport_holdsNoPlantedValue_andTheAuditAgrees() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Files.write(obs.resolve("2026-12-01.jsonl"), day(8));
        JsonNode summary = run(obs, "run-a", roster());
        assertThat(summary.path("stages").path("materialize").path("conserved").asBoolean()).isTrue();
        assertThat(summary.path("stages").path("materialize").path("iterate_calls").asLong()).isEqualTo(2);
        JsonNode export = summary.path("stages").path("export");
        assertThat(export.path("masked").path("phone").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(export.path("masked").path("roster_contacts").asLong()).isGreaterThanOrEqualTo(3);
        assertNothingPlanted(dir.resolve("run-a"));

        List<String> sft = Files.readAllLines(dir.resolve("run-a/sft/trl.jsonl"));
        assertThat(sft).as("the contacts answer is a sample, with one placeholder per value").anySatisfy(l -> assertThat(l)
                .contains("[PHONE_1] or [PHONE_1]", "[EMAIL_1]", "[PHONE_2]", "[PHONE_3]", "[EMAIL_2]", "[PHONE_4]"));
        assertThat(sft).noneMatch(l -> l.contains("Dear all"));          // cut: never accepted
        assertThat(sft).noneMatch(l -> l.contains("call Bo at"));        // the failed attempt's output is no chat sample
        assertThat(sft).noneMatch(l -> l.contains("social security"));   // the user who sent their SSN
        for (Acceptance.Outcome o : Acceptance.run(new RunView(dir.resolve("run-a"), dir.resolve("work")),
                Set.of("no_pii_in_sft", "no_pii_in_preference", "no_pii_in_exports", "conservation", "chosen_valid_rejected_invalid"))) {
            assertThat(o.passed()).as(o.name() + ": " + o.examples()).isTrue();
        }
    }

    @Test
    void iterateCalls_beforeTheirAttempts_andInTheRunBefore_neverBecomeChatSamples() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        List<String> lines = day(9);
        List<String> calls = lines.subList(6, 8);
        List<String> attempts = lines.subList(4, 6);
        Files.write(obs.resolve("2026-12-01.jsonl"), calls);            // the calls first, in a run of their own
        JsonNode first = run(obs, "run-1", null);
        assertThat(first.path("stages").path("materialize").path("evidence_by_type").path("chat").asLong()).isZero();
        Files.write(obs.resolve("2026-12-01.jsonl"), attempts, java.nio.file.StandardOpenOption.APPEND);
        JsonNode second = run(obs, "run-2", null);
        assertThat(second.path("stages").path("materialize").path("evidence_by_type").path("iterate").asLong()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("run-1/sft/trl.jsonl"))).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("run-2/sft/trl.jsonl"))).noneMatch(l -> l.contains("call Bo at"));
    }

    @Test
    void withoutARoster_shapesAreStillMasked_andTheSummarySaysSo() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Files.write(obs.resolve("2026-12-01.jsonl"), day(10));
        JsonNode summary = run(obs, "run-n", dir.resolve("no-such-roster.parquet"));
        assertThat(summary.path("inputs").path("roster_workers").asInt()).isEqualTo(-1);
        assertNothingPlanted(dir.resolve("run-n"));
    }

    /** A roster that changed between runs: the new worker's number, written bare with no cue, is masked from the next run on. */
    @Test
    void aRosterThatChangesBetweenRuns_isReadAgainByEachRun() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Files.write(obs.resolve("2026-12-01.jsonl"), List.of(event("r1", "2026-12-01T08:00:01Z", "chat.call", null,
                chat("Who covers nights?", "W000102 / 3035550166 / nights", "stop"))));
        run(obs, "run-old", roster("old.parquet", "614-555-0142"));
        assertThat(Files.readString(dir.resolve("run-old/sft/trl.jsonl"))).contains("3035550166");   // nobody's number yet
        JsonNode next = Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, dir.resolve("run-new"), dir.resolve("watermark.json"), Pipeline.Stage.ALL,
                null, true, 2, Set.of(), roster("new.parquet", "614-555-0142", "303.555.0166")), (s, d, t) -> { }));
        assertThat(next.path("inputs").path("roster_workers").asInt()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("run-new/sft/trl.jsonl"))).doesNotContain("3035550166").contains("[PHONE_1]");
    }

    /** An export that cannot be written (a file where its directory goes): the run fails naming it, nothing moves, a rerun makes all. */
    @Test
    void aRunThatCannotWriteItsExports_failsWithoutMovingTheWatermark_andARerunMakesEverything() throws Exception {
        Path obs = Files.createDirectories(dir.resolve("observations"));
        Files.write(obs.resolve("2026-12-01.jsonl"), day(11));
        Files.createDirectories(dir.resolve("run-x"));
        Files.writeString(dir.resolve("run-x/sft"), "not a directory");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(obs, "run-x", roster())).isInstanceOf(IOException.class)
                .hasMessageContaining("sft");
        assertThat(dir.resolve("watermark.json")).doesNotExist();
        JsonNode again = run(obs, "run-y", roster());
        assertThat(again.path("stages").path("materialize").path("lines").asLong()).isEqualTo(day(11).size());
        assertThat(again.path("stages").path("materialize").path("conserved").asBoolean()).isTrue();
        assertNothingPlanted(dir.resolve("run-y"));
    }

    /** The oracle: every file of the run but the evidence, quarantine and scored records, digits joined, against the planted values. */
    static void assertNothingPlanted(Path run) throws IOException {
        Set<String> internal = Set.of("evidence.jsonl", "quarantine.jsonl", "scored.jsonl", "summary.json");
        try (Stream<Path> files = Files.walk(run)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !internal.contains(f.getFileName().toString())).toList()) {
                String text = Files.readString(f).toLowerCase(java.util.Locale.ROOT);
                String digits = text.replaceAll("[^0-9a-z@.]", "");
                for (String v : PLANTED) {
                    assertThat(text.contains(v) || digits.contains(v)).as(run.relativize(f) + " holds " + v).isFalse();
                }
            }
        }
    }
}
