package dev.lakehouse.journald;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.distillation.CanonicalJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
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

    static EntryRequest entry(String type, String actor, int n) throws Exception {
        return new EntryRequest(type, actor, "subject-" + n, Json.mapper().readTree("{\"n\":" + n + ",\"x\":[1.5,{\"b\":1,\"a\":2}]}"), "rid-" + n);
    }

    @Test
    void entries_formAChain_thatVerifies() throws Exception {
        open(1 << 20);
        Journal.Appended first = journal.append(entry("t", "alice", 1));
        Journal.Appended second = journal.append(entry("t", "bob", 2));
        assertThat(first.seq()).isEqualTo(1);
        assertThat(second.seq()).isEqualTo(2);
        JsonNode stored = journal.read(2, null, null, null, 10).entries().get(0);
        assertThat(stored.path("prev_hash").asText()).isEqualTo(first.hash());
        assertThat(stored.path("hash").asText()).isEqualTo(second.hash());
        assertThat(journal.read(1, null, null, null, 10).entries().get(0).path("prev_hash").asText()).isEqualTo(Journal.GENESIS);
        Journal.Verification v = journal.verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).isEqualTo(2);
        assertThat(v.head()).isEqualTo(second.hash());
    }

    @Test
    void restart_resumesTheChain() throws Exception {
        open(1 << 20);
        Journal.Appended a = journal.append(entry("t", "alice", 1));
        journal.close();
        open(1 << 20);
        assertThat(journal.seq()).isEqualTo(1);
        assertThat(journal.head()).isEqualTo(a.hash());
        Journal.Appended b = journal.append(entry("t", "alice", 2));
        assertThat(b.seq()).isEqualTo(2);
        assertThat(journal.verify().ok()).isTrue();
    }

    @Test
    void segments_roll_andTheChainCrossesThem() throws Exception {
        open(600);
        for (int i = 1; i <= 12; i++) {
            journal.append(entry("t", "alice", i));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.count()).isGreaterThan(2);
        }
        assertThat(journal.verify().ok()).isTrue();
        assertThat(journal.verify().entries()).isEqualTo(12);
        assertThat(journal.read(7, null, null, null, 3).entries()).extracting(e -> e.path("seq").asLong()).containsExactly(7L, 8L, 9L);
        journal.close();
        open(600);
        assertThat(journal.append(entry("t", "alice", 13)).seq()).isEqualTo(13);
        assertThat(journal.verify().ok()).isTrue();
    }

    @Test
    void editedByte_isNamedByVerify() throws Exception {
        open(1 << 20);
        for (int i = 1; i <= 5; i++) {
            journal.append(entry("t", "alice", i));
        }
        journal.close();
        Path segment = Files.list(dir).findFirst().orElseThrow();
        List<String> lines = Files.readAllLines(segment);
        lines.set(2, lines.get(2).replace("\"alice\"", "\"alicf\""));   // entry 3
        Files.write(segment, lines);
        open(1 << 20);
        Journal.Verification v = journal.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(3);
        assertThat(v.entries()).isEqualTo(2);
        assertThat(v.reason()).contains("hash");
    }

    @Test
    void tornTail_isDropped_andTheChainContinuesFromTheLastWholeEntry() throws Exception {
        open(1 << 20);
        Journal.Appended a = journal.append(entry("t", "alice", 1));
        journal.close();
        Path segment = Files.list(dir).findFirst().orElseThrow();
        Files.writeString(segment, "{\"actor\":\"mallory\",\"da", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        open(1 << 20);
        assertThat(journal.seq()).isEqualTo(1);
        assertThat(journal.head()).isEqualTo(a.hash());
        assertThat(journal.append(entry("t", "alice", 2)).seq()).isEqualTo(2);
        assertThat(journal.verify().ok()).isTrue();
    }

    @Test
    void read_filtersByTypeActorAndRequestId() throws Exception {
        open(1 << 20);
        journal.append(entry("cutover.switch", "alice", 1));
        journal.append(entry("validate", "bob", 2));
        journal.append(entry("cutover.switch", "bob", 3));
        assertThat(journal.read(0, "cutover.switch", null, null, 10).entries()).hasSize(2);
        assertThat(journal.read(0, "cutover.switch", "bob", null, 10).entries()).extracting(e -> e.path("seq").asLong()).containsExactly(3L);
        assertThat(journal.read(0, null, null, "rid-2", 10).entries()).extracting(e -> e.path("seq").asLong()).containsExactly(2L);
        Journal.Page page = journal.read(1, null, null, null, 2);
        assertThat(page.nextFromSeq()).isEqualTo(3);
    }

    @Test
    void canonicalEncoding_sortsKeysAtEveryDepth_andIsStable() throws Exception {
        JsonNode node = Json.mapper().readTree("{\"b\":{\"z\":1,\"a\":[{\"y\":2.50,\"c\":1e2}]},\"a\":\"x\"}");
        byte[] once = CanonicalJson.bytes(node);
        assertThat(new String(once, StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"x\",\"b\":{\"a\":[{\"c\":100.0,\"y\":2.5}],\"z\":1}}");
        assertThat(CanonicalJson.bytes(Json.mapper().readTree(once))).isEqualTo(once);
    }
}
