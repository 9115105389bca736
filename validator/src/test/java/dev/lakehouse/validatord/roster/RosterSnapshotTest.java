package dev.lakehouse.validatord.roster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot gives back the roster the Parquet file gives, and only for that file; anything else is read again. */
class RosterSnapshotTest {
    @TempDir
    Path dir;

    Path parquet() throws IOException {
        Path file = dir.resolve("w.parquet");
        RosterGenerator.write(file, 5_000, 42, n -> { });
        return file;
    }

    static void assertSame(Roster a, Roster b) {
        assertThat(b.size()).isEqualTo(a.size());
        for (int row = 0; row < a.size(); row += 7) {
            assertThat(b.worker(row)).isEqualTo(a.worker(row));
        }
        assertThat(b.counts("role")).isEqualTo(a.counts("role"));
        Roster.Worker w = a.worker(123);
        assertThat(b.rowByPhone(w.phone())).isEqualTo(a.rowByPhone(w.phone()));
        assertThat(b.rowByEmail(w.email())).isEqualTo(a.rowByEmail(w.email()));
        assertThat(b.row(w.workerId())).isEqualTo(123);
    }

    @Test
    void theFirstLoadReadsParquetAndWritesTheSnapshot_theNextReadsTheSnapshot_andBothAreTheSameRoster() throws IOException {
        Path file = parquet();
        Path snap = dir.resolve("state/roster.snapshot");
        RosterSnapshot.Loaded first = RosterSnapshot.load(file, snap);
        assertThat(first.fromSnapshot()).isFalse();
        assertThat(snap).exists();
        RosterSnapshot.Loaded second = RosterSnapshot.load(file, snap);
        assertThat(second.fromSnapshot()).isTrue();
        assertSame(RosterLoader.load(file), second.roster());
    }

    @Test
    void aColumnInArenaForm_survivesTheSnapshot() throws IOException {
        List<Roster.Worker> workers = new ArrayList<>();
        for (int i = 1; i <= StringColumn.MAX_DICTIONARY + 10; i++) {   // more distinct first names than a dictionary holds
            workers.add(TestRoster.worker(i, "First" + i, "Last", "picker", 39.9, -83.0, String.format("614-555-%04d", i % 10_000),
                    i % 3 == 0 ? "inactive" : "active"));
        }
        Roster roster = TestRoster.of(workers);
        Path snap = dir.resolve("arena.snapshot");
        RosterSnapshot.write(snap, "key", roster);
        assertSame(roster, RosterSnapshot.read(snap, "key"));
    }

    @Test
    void aChangedParquetFile_isReadAgain_andTheSnapshotReplaced() throws IOException {
        Path file = parquet();
        Path snap = dir.resolve("roster.snapshot");
        RosterSnapshot.load(file, snap);
        RosterGenerator.write(file, 4_000, 7, n -> { });   // another roster in the same file
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2_000));
        RosterSnapshot.Loaded again = RosterSnapshot.load(file, snap);
        assertThat(again.fromSnapshot()).isFalse();
        assertThat(again.roster().size()).isEqualTo(4_000);
        assertThat(RosterSnapshot.load(file, snap).fromSnapshot()).isTrue();
    }

    @Test
    void everyCorruptionOrTruncation_isRefused_andTheParquetReadInstead() throws IOException {
        Path file = parquet();
        Path snap = dir.resolve("roster.snapshot");
        RosterSnapshot.load(file, snap);
        byte[] good = Files.readAllBytes(snap);
        String key = RosterSnapshot.key(file);
        for (int at : new int[] {0, 9, 20, good.length / 3, good.length / 2, good.length - 9, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x5a;
            Files.write(snap, bad);
            assertThatThrownBy(() -> RosterSnapshot.read(snap, key)).as("byte " + at).isInstanceOf(IOException.class);
            assertThat(RosterSnapshot.load(file, snap).fromSnapshot()).isFalse();   // read from Parquet, snapshot rewritten
            assertThat(Files.readAllBytes(snap)).isEqualTo(good);
        }
        for (int length : new int[] {0, 5, 30, good.length / 2, good.length - 1}) {
            Files.write(snap, java.util.Arrays.copyOf(good, length));
            assertThat(RosterSnapshot.load(file, snap).fromSnapshot()).as("cut at " + length).isFalse();
        }
        assertThatThrownBy(() -> RosterSnapshot.read(snap, "another file|1|2")).hasMessageContaining("made from");
    }

    @Test
    void aMissingParquetFile_isAnError_evenWithASnapshot() throws IOException {
        Path file = parquet();
        Path snap = dir.resolve("roster.snapshot");
        RosterSnapshot.load(file, snap);
        Files.delete(file);
        assertThatThrownBy(() -> RosterSnapshot.load(file, snap)).isInstanceOf(IOException.class).hasMessageContaining("does not exist");
    }

    @Test
    void anUnwritableSnapshotPlace_onlyCostsTheNextStartItsSpeed() throws IOException {
        Path file = parquet();
        Path blocked = Files.writeString(dir.resolve("a-file"), "x").resolve("roster.snapshot");   // parent is a file
        RosterSnapshot.Loaded loaded = RosterSnapshot.load(file, blocked);
        assertThat(loaded.fromSnapshot()).isFalse();
        assertThat(loaded.roster().size()).isEqualTo(5_000);
    }
}
