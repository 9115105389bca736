package dev.lakehouse.pathwayd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLog;
import dev.lakehouse.pathwayd.store.VersionLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A purge stopped between its two steps — the purge entry appended, the log not yet rewritten (a {@code kill -9} there)
 * — is finished by the next load; a rewrite killed before its rename leaves the old log whole and its temporary file
 * is removed.
 */
class MemoriesPurgeTest {
    @TempDir
    Path dir;

    static PathwaydWire.AddRequest add(String id, String text) {
        return Json.parse(("{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}").getBytes(), PathwaydWire.AddRequest.class);
    }

    @Test
    void aPurgeEntryWithoutItsRewrite_isFinishedAtLoad() throws Exception {
        Memories m = new Memories(dir, new SimpleMeterRegistry());
        m.load();
        m.add(add("keep", "Jo likes early shifts"));
        VersionLog.Entry gone = m.add(add("gone", "Kim Vale phone 614 555 0142"));
        m.close();
        // what a kill -9 right after the purge entry's fsync leaves: the entry, and the versions still in the log
        try (JsonLog<VersionLog.Entry> log = VersionLog.open(dir)) {
            log.load(e -> { });
            log.append(List.of(new VersionLog.Entry(gone.seq() + 1, Instant.now(), List.of(), new VersionLog.Purge("gone", 1, "test"))));
        }
        Path file = dir.resolve("versions.jsonl");
        assertThat(Files.readString(file)).contains("Kim Vale");
        Files.writeString(dir.resolve("versions.jsonl.tmp"), "half a rewrite");   // and a rewrite killed before its rename
        Memories again = new Memories(dir, new SimpleMeterRegistry());
        again.load();
        assertThat(Files.readString(file)).doesNotContain("Kim Vale").contains("Jo likes early shifts").contains("\"purged\"");
        assertThat(Files.exists(dir.resolve("versions.jsonl.tmp"))).isFalse();
        assertThat(again.get("gone")).isEmpty();
        assertThat(again.get("keep")).isPresent();
        // and the log stays writable after the rewrite
        again.add(add("after", "written after the rewrite"));
        again.close();
        Memories third = new Memories(dir, new SimpleMeterRegistry());
        third.load();
        assertThat(third.get("after")).isPresent();
        assertThat(third.seq()).isEqualTo(gone.seq() + 2);
        third.close();
    }
}
