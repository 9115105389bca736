package dev.lakehouse.vectord.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalAndSnapshotTest {
    @TempDir
    Path dir;

    static Wal.Record upsert(String id, float... v) {
        return new Wal.Record(Wal.UPSERT, id, v, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    List<Wal.Record> replay(long after) throws Exception {
        List<Wal.Record> out = new ArrayList<>();
        Wal.replay(dir, after, out::add);
        return out;
    }

    @Test
    void records_roundTrip() throws Exception {
        try (Wal wal = new Wal(dir, 1)) {
            wal.append(List.of(upsert("a", 1f, -2.5f, 3e-8f), new Wal.Record(Wal.DELETE, "b", null, null), upsert("ü-ñ", Float.MAX_VALUE)));
        }
        List<Wal.Record> back = replay(0);
        assertThat(back).hasSize(3);
        assertThat(back.get(0).vector()).containsExactly(1f, -2.5f, 3e-8f);
        assertThat(new String(back.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"a\"}");
        assertThat(back.get(1).type()).isEqualTo(Wal.DELETE);
        assertThat(back.get(2).id()).isEqualTo("ü-ñ");
    }

    @Test
    void tornTail_isDetected_cut_andAppendsContinue() throws Exception {
        try (Wal wal = new Wal(dir, 1)) {
            wal.append(List.of(upsert("a", 1f), upsert("b", 2f)));
        }
        Path file = Wal.file(dir, 1);
        long whole = Files.size(file);
        byte[] torn = Wal.encode(upsert("c", 3f));
        Files.write(file, java.util.Arrays.copyOf(torn, torn.length - 3), StandardOpenOption.APPEND);
        assertThat(replay(0)).extracting(Wal.Record::id).containsExactly("a", "b");
        assertThat(Files.size(file)).as("the torn record was cut off").isEqualTo(whole);
        try (Wal wal = new Wal(dir, 1)) {
            wal.append(List.of(upsert("d", 4f)));
        }
        assertThat(replay(0)).extracting(Wal.Record::id).containsExactly("a", "b", "d");
    }

    @Test
    void corruptedRecord_failsItsCrc_andReplayStopsThere() throws Exception {
        try (Wal wal = new Wal(dir, 1)) {
            wal.append(List.of(upsert("a", 1f), upsert("b", 2f), upsert("c", 3f)));
        }
        Path file = Wal.file(dir, 1);
        byte[] bytes = Files.readAllBytes(file);
        int recordLength = Wal.encode(upsert("a", 1f)).length;
        bytes[recordLength + 12] ^= 0x40;   // a byte inside the second record's body
        Files.write(file, bytes);
        assertThat(replay(0)).extracting(Wal.Record::id).containsExactly("a");
    }

    @Test
    void rotation_andGenerations() throws Exception {
        try (Wal wal = new Wal(dir, 1)) {
            wal.append(List.of(upsert("a", 1f)));
            assertThat(wal.rotate()).isEqualTo(1);
            wal.append(List.of(upsert("b", 2f)));
            assertThat(replay(1)).extracting(Wal.Record::id).containsExactly("b");
            wal.deleteUpTo(1);
            assertThat(Files.exists(Wal.file(dir, 1))).isFalse();
        }
        try (Wal reopened = new Wal(dir, 1)) {
            assertThat(reopened.generation()).isEqualTo(2);
        }
    }

    @Test
    void parquetSnapshot_roundTrips() throws Exception {
        Path file = dir.resolve("s.parquet");
        try (ParquetSnapshot.Writer w = new ParquetSnapshot.Writer(file)) {
            for (int i = 0; i < 2500; i++) {
                w.write(new ParquetSnapshot.Row("W" + i, new float[] {i, -i, 0.5f}, "{\"role\":\"r" + i + "\"}"));
            }
        }
        List<ParquetSnapshot.Row> rows = new ArrayList<>();
        assertThat(ParquetSnapshot.read(file, rows::add)).isEqualTo(2500);
        assertThat(rows.get(1234).id()).isEqualTo("W1234");
        assertThat(rows.get(1234).vector()).containsExactly(1234f, -1234f, 0.5f);
        assertThat(rows.get(1234).payloadJson()).isEqualTo("{\"role\":\"r1234\"}");
    }

    @Test
    void localStore_writesAtomically_andLists() throws Exception {
        LocalSnapshotStore store = new LocalSnapshotStore(dir.resolve("store"));
        store.write("jobs/manifest.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
        store.write("jobs/manifest.json", "{\"v\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(store.read("jobs/manifest.json").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":2}");
        assertThat(store.list("jobs/")).containsExactly("jobs/manifest.json");
        assertThat(store.read("nope")).isEmpty();
    }
}
