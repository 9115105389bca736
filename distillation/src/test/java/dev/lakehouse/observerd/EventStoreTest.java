package dev.lakehouse.observerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStoreTest {
    @TempDir
    Path dir;
    EventStore store;

    EventStore open() {
        store = new EventStore(dir, new SimpleMeterRegistry());
        store.load();
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    static ObserveEvent event(String id, String ts, String kind) {
        return new ObserveEvent(id, ts, kind, "chatd", "rid", Json.mapper().createObjectNode().put("id", id));
    }

    List<String> ids(EventStore.Query q) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.read(q, out);
        String text = out.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(text.split("\n")).map(l -> {
            try {
                return Json.mapper().readTree(l).path("event_id").asText();
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void append_deduplicatesWithinABatch_acrossBatches_andAcrossRestarts() {
        open();
        assertThat(store.append(List.of(event("a", "2026-11-22T10:00:00Z", "k"), event("a", "2026-11-22T10:00:00Z", "k"),
                event("b", "2026-11-22T11:00:00Z", "k")))).isEqualTo(new EventStore.Appended(2, 1));
        assertThat(store.append(List.of(event("b", "2026-11-22T11:00:00Z", "k")))).isEqualTo(new EventStore.Appended(0, 1));
        store.close();
        open();
        assertThat(store.append(List.of(event("a", "2026-11-22T10:00:00Z", "k"), event("c", "2026-11-22T12:00:00Z", "k"))))
                .isEqualTo(new EventStore.Appended(1, 1));
    }

    @Test
    void read_isInTimeOrderAcrossDays_withFilters() throws Exception {
        open();
        store.append(List.of(event("late", "2026-11-22T12:00:00Z", "chat.call"), event("early", "2026-11-22T08:00:00Z", "chat.call"),
                event("other", "2026-11-22T09:00:00Z", "validate"), event("yesterday", "2026-11-21T23:59:59Z", "chat.call"),
                event("offset", "2026-11-22T10:30:00+01:00", "chat.call")));
        assertThat(ids(new EventStore.Query(null, null, null, 100))).containsExactly("yesterday", "early", "other", "offset", "late");
        assertThat(ids(new EventStore.Query("chat.call", null, null, 100))).containsExactly("yesterday", "early", "offset", "late");
        assertThat(ids(new EventStore.Query(null, Instant.parse("2026-11-22T08:00:00Z"), Instant.parse("2026-11-22T12:00:00Z"), 100)))
                .as("since inclusive, until exclusive").containsExactly("early", "other", "offset");
        assertThat(ids(new EventStore.Query(null, null, null, 2))).containsExactly("yesterday", "early");
        assertThat(Files.exists(dir.resolve("2026-11-21.jsonl"))).isTrue();
    }

    @Test
    void tornTail_isDroppedAtLoad_andTheStoreKeepsWorking() throws Exception {
        open();
        store.append(List.of(event("a", "2026-11-22T10:00:00Z", "k")));
        store.close();
        Files.writeString(dir.resolve("2026-11-22.jsonl"), "{\"event_id\":\"torn\",\"ts\":\"2026-11-22T1", StandardOpenOption.APPEND);
        open();
        assertThat(ids(new EventStore.Query(null, null, null, 100))).containsExactly("a");
        assertThat(store.append(List.of(event("torn", "2026-11-22T11:00:00Z", "k")))).isEqualTo(new EventStore.Appended(1, 0));
        assertThat(ids(new EventStore.Query(null, null, null, 100))).containsExactly("a", "torn");
    }

    @Test
    void stats_countKindsPerDay_andBytes() {
        open();
        store.append(List.of(event("a", "2026-11-22T10:00:00Z", "chat.call"), event("b", "2026-11-22T11:00:00Z", "chat.call"),
                event("c", "2026-11-21T11:00:00Z", "validate")));
        EventStore.Stats stats = store.stats();
        assertThat(stats.events()).isEqualTo(3);
        assertThat(stats.days().get("2026-11-22").kinds()).containsEntry("chat.call", 2L);
        assertThat(stats.days().get("2026-11-21").kinds()).containsEntry("validate", 1L);
        assertThat(stats.bytes()).isPositive();
        store.close();
        open();
        assertThat(store.stats().events()).as("counts rebuilt at load").isEqualTo(3);
    }

    @Test
    void storedLine_keepsThePostedFields_inUtc() throws Exception {
        open();
        store.append(List.of(new ObserveEvent("x", "2026-11-22T10:00:00+02:00", "k", "chatd", "r1",
                Json.mapper().readTree("{\"messages\":[{\"role\":\"user\"}]}"))));
        JsonNode line = Json.mapper().readTree(Files.readAllLines(dir.resolve("2026-11-22.jsonl")).get(0));
        assertThat(line.path("ts").asText()).isEqualTo("2026-11-22T08:00:00Z");
        assertThat(line.path("daemon").asText()).isEqualTo("chatd");
        assertThat(line.path("request_id").asText()).isEqualTo("r1");
        assertThat(line.path("payload").path("messages").get(0).path("role").asText()).isEqualTo("user");
        assertThat(line.has("received_at")).isTrue();
    }
}
