package dev.lakehouse.journald;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.distillation.CanonicalJson;
import dev.lakehouse.common.SubjectIdentifiers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasing a person from the journal keeps it verifiable: entries commit to their payload's hash, an erased payload is
 * reported as erased (not tampered), every other entry stays byte-identical, entries from before payload hashes keep
 * their place in the chain, and a payload changed without erasure is still caught.
 */
class JournalErasureTest {
    static final SubjectIdentifiers ANA = SubjectIdentifiers.of(List.of("W000123", "614-555-0101", "ana@example.com"));

    @TempDir
    Path dir;
    Journal journal;

    Journal open(long segmentBytes) {
        journal = new Journal(dir, segmentBytes, new SimpleMeterRegistry());
        journal.load();
        return journal;
    }

    @AfterEach
    void close() {
        if (journal != null) {
            journal.close();
        }
    }

    static EntryRequest entry(String subject, String data) throws Exception {
        return new EntryRequest("validate.email", "validatord", subject, Json.mapper().readTree(data), null);
    }

    String all() throws Exception {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                b.append(Files.readString(f));
            }
        }
        return b.toString();
    }

    @Test
    void anErasedPayload_leavesAVerifiableChain_andEveryOtherEntryByteIdentical() throws Exception {
        open(600);   // small segments: the chain crosses several, the erasure rewrites only those that name her
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (i % 4 == 1) {
                journal.append(entry("worker:W000123", "{\"phone\":\"(614) 555-0101\",\"n\":" + i + "}"));
            } else if (i % 4 == 3) {
                journal.append(entry(null, "{\"note\":\"mail ANA@example.com about shift " + i + "\"}"));
            } else {
                journal.append(entry("worker:W000124", "{\"phone\":\"614-555-0199\",\"n\":" + i + "}"));
            }
        }
        for (JsonNode e : journal.read(1, null, null, null, 100).entries()) {
            if (e.path("subject").asText().equals("worker:W000124")) {
                others.add(CanonicalJson.utf8(CanonicalJson.bytes(e)));
            }
        }
        assertThat(all()).contains("W000123").contains("555-0101").contains("ANA@example.com");
        Journal.Erased er = journal.erase(ANA, "er-1");
        assertThat(er.entriesErased()).isEqualTo(6);
        assertThat(er.segmentsRewritten()).isPositive();
        String text = all();
        assertThat(text).doesNotContain("W000123").doesNotContain("555-0101").doesNotContainIgnoringCase("ana@example.com");
        others.forEach(o -> assertThat(text).contains(o));
        Journal.Verification v = journal.verify();
        assertThat(v.ok()).as(v.reason()).isTrue();
        assertThat(v.erased()).isEqualTo(6);
        assertThat(v.entries()).isEqualTo(13);
        JsonNode last = journal.read(13, null, null, null, 1).entries().get(0);
        assertThat(last.path("type").asText()).isEqualTo("privacy.erasure");
        assertThat(last.path("data").path("subject_fingerprint").asText()).isEqualTo(ANA.fingerprint());
        assertThat(last.toString()).doesNotContain("W000123").doesNotContain("0101");
        assertThat(journal.erase(ANA, "er-2").entriesErased()).as("idempotent").isZero();
        // appends go on after a rewrite of the current segment; a restart resumes the chain
        journal.append(entry("worker:W000125", "{\"n\":99}"));
        journal.close();
        open(600);
        journal.append(entry("worker:W000126", "{\"n\":100}"));
        assertThat(journal.verify().ok()).isTrue();
    }

    @Test
    void aPayloadChangedWithoutErasure_orRemovedWithoutTheMarker_isStillCaught() throws Exception {
        open(1 << 20);
        journal.append(entry("worker:W000124", "{\"pay\":21.5}"));
        journal.append(entry("worker:W000124", "{\"pay\":22.5}"));
        journal.close();
        Path seg;
        try (var files = Files.list(dir)) {
            seg = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        String original = Files.readString(seg);
        Files.writeString(seg, original.replace("21.5", "99.5"));
        assertThat(open(1 << 20).verify().reason()).isEqualTo("data does not match the entry's data_hash");
        journal.close();
        Files.writeString(seg, original.replaceFirst("\"data\":\\{\"pay\":21.5},", ""));
        Journal.Verification v = open(1 << 20).verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(1);
        journal.close();
        Files.writeString(seg, original.replace("worker:W000124", "worker:W000999"));
        assertThat(open(1 << 20).verify().reason()).isEqualTo("subject does not match the entry's subject_hash");
    }

    @Test
    void entriesWrittenBeforePayloadHashes_keepTheirPlaceInTheChain_whenErased() throws Exception {
        // two entries as journald wrote them before payload hashes: the hash covers the whole entry
        StringBuilder seg = new StringBuilder();
        String prev = Journal.GENESIS;
        for (int i = 1; i <= 2; i++) {
            ObjectNode e = JsonNodeFactory.instance.objectNode().put("seq", i).put("ts", "2026-11-01T00:00:00Z").put("type", "t")
                    .put("actor", "a").put("subject", i == 1 ? "worker:W000123" : "worker:W000124").put("prev_hash", prev);
            e.putObject("data").put("n", i);
            String h = CanonicalJson.hash(e);
            e.put("hash", h);
            seg.append(CanonicalJson.utf8(CanonicalJson.bytes(e))).append('\n');
            prev = h;
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(String.format("%020d.jsonl", 1)), seg.toString());
        open(1 << 20);
        journal.append(entry("worker:W000123", "{\"n\":3}"));
        assertThat(journal.verify().ok()).isTrue();
        assertThat(journal.erase(ANA, "er-old").entriesErased()).isEqualTo(2);
        Journal.Verification v = journal.verify();
        assertThat(v.ok()).as(v.reason()).isTrue();
        assertThat(v.erased()).isEqualTo(1);
        assertThat(v.erasedUnverifiable()).isEqualTo(1);
        assertThat(all()).doesNotContain("W000123");
        // a half-written rewrite (killed before its rename) is dropped at start; the journal is whole
        journal.close();
        Files.writeString(dir.resolve(String.format("%020d.jsonl.tmp", 1)), "{\"torn\":");
        assertThat(open(1 << 20).verify().ok()).isTrue();
        assertThat(dir.resolve(String.format("%020d.jsonl.tmp", 1))).doesNotExist();
    }
}
