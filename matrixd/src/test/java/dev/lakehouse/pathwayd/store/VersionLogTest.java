package dev.lakehouse.pathwayd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.lakehouse.common.JsonLog;
import dev.lakehouse.pathwayd.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionLogTest {
    @TempDir
    Path dir;

    static VersionLog.Entry entry(long seq, String id) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(seq);
        return new VersionLog.Entry(seq, t, List.of(new Version(id, 1, Version.Change.CREATED, "fact", "text " + seq, null, null,
                null, null, null, t, null, t, null, null, null)));
    }

    static List<VersionLog.Entry> replay(Path dir) throws IOException {
        List<VersionLog.Entry> seen = new ArrayList<>();
        JsonLog<VersionLog.Entry> log = VersionLog.open(dir);
        log.load(seen::add);
        log.close();
        return seen;
    }

    @Test
    void appendedEntries_replayInOrder_withTheirVersionsWhole() throws IOException {
        JsonLog<VersionLog.Entry> log = VersionLog.open(dir);
        log.load(e -> { });
        log.append(List.of(entry(1, "a"), entry(2, "b")));
        log.append(List.of(entry(3, "c")));
        log.close();
        List<VersionLog.Entry> seen = replay(dir);
        assertThat(seen).extracting(VersionLog.Entry::seq).containsExactly(1L, 2L, 3L);
        assertThat(seen.get(2)).isEqualTo(entry(3, "c"));
    }

    @Test
    void aTornLastLine_isCut_andTheLogGoesOnFromTheEntryBefore() throws IOException {
        JsonLog<VersionLog.Entry> log = VersionLog.open(dir);
        log.load(e -> { });
        log.append(List.of(entry(1, "a")));
        log.close();
        Files.write(log.file(), "{\"seq\":2,\"at\":\"2026-12".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        assertThat(replay(dir)).extracting(VersionLog.Entry::seq).containsExactly(1L);
        JsonLog<VersionLog.Entry> again = VersionLog.open(dir);
        again.load(e -> { });
        again.append(List.of(entry(2, "b")));
        again.close();
        assertThat(replay(dir)).extracting(VersionLog.Entry::seq).containsExactly(1L, 2L);
    }

    @Test
    void damageBeforeTheLastLine_stopsTheStart_namingFileAndOffset() throws IOException {
        JsonLog<VersionLog.Entry> log = VersionLog.open(dir);
        log.load(e -> { });
        log.close();
        Files.writeString(log.file(), "{\"seq\":1}\nnot json\n");
        assertThatThrownBy(() -> replay(dir)).isInstanceOf(IOException.class).hasMessageContaining("versions.jsonl offset");
    }
}
