package dev.lakehouse.validatord.roster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation is deterministic; loading keeps every value and finds workers by id, phone and e-mail; bad files say why. */
class RosterTest {
    @TempDir
    Path dir;

    @Test
    void theSameSeed_writesAByteIdenticalFile_anotherSeedDoesNot() throws IOException {
        Path a = dir.resolve("a.parquet");
        Path b = dir.resolve("b.parquet");
        Path c = dir.resolve("c.parquet");
        List<Long> progress = new ArrayList<>();
        RosterGenerator.write(a, 25_000, 42, progress::add);
        RosterGenerator.write(b, 25_000, 42, n -> { });
        RosterGenerator.write(c, 25_000, 43, n -> { });
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(c));
        assertThat(progress).containsExactly(10_000L, 20_000L, 25_000L);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).as("no temporary file left")
                .containsExactlyInAnyOrder("a.parquet", "b.parquet", "c.parquet");
    }

    @Test
    void loading_keepsEveryColumn_andFindsWorkers() throws IOException {
        Path file = dir.resolve("w.parquet");
        RosterGenerator.write(file, 3_000, 42, n -> { });
        Roster roster = RosterLoader.load(file);
        assertThat(roster.size()).isEqualTo(3_000);
        Roster.Worker w = roster.worker("W000123").orElseThrow();
        assertThat(w.workerId()).isEqualTo("W000123");
        assertThat(w.email()).startsWith(w.firstName().toLowerCase() + "." + w.lastName().toLowerCase() + "123@");
        assertThat(w.phone()).matches("\\d{3}-\\d{3}-\\d{4}");
        assertThat(w.status()).isIn("active", "inactive");
        assertThat(w.lat()).isBetween(25.0, 48.5);
        assertThat(w.lon()).isBetween(-123.0, -71.0);
        assertThat(w.hourlyRate()).isPositive();
        assertThat(roster.worker("W003001")).isEmpty();
        assertThat(roster.worker("bogus")).isEmpty();
        int row = roster.row("W000123");
        assertThat(roster.rowByPhone("(" + w.phone().substring(0, 3) + ") " + w.phone().substring(4))).isEqualTo(row);
        assertThat(roster.rowByPhone("+1 " + w.phone())).isEqualTo(row);
        assertThat(roster.rowByEmail(w.email().toUpperCase())).isEqualTo(row);
        assertThat(roster.rowByEmail("nobody@example.com")).isEqualTo(-1);
        Integer inactive = roster.counts("status").get("inactive");
        assertThat(inactive).isBetween(150, 330);   // about 8 %
        assertThat(roster.counts("role")).containsKey("forklift operator");
    }

    @Test
    void rowsOutOfOrder_areStillFoundById() {
        Roster r = TestRoster.of(List.of(
                TestRoster.worker(9, "A", "B", "janitor", 40, -83, "614-555-0109", "active"),
                TestRoster.worker(2, "C", "D", "janitor", 40, -83, "614-555-0102", "active"),
                TestRoster.worker(5, "E", "F", "janitor", 40, -83, "614-555-0105", "inactive")));
        assertThat(r.worker("W000002").orElseThrow().firstName()).isEqualTo("C");
        assertThat(r.worker("W000009").orElseThrow().firstName()).isEqualTo("A");
        assertThat(r.active(r.row("W000005"))).isFalse();
        assertThat(r.row("W000003")).isEqualTo(-1);
    }

    @Test
    void aColumnWithManyDistinctValues_movesToAnArena_keepingThem() {
        StringColumn.Builder b = new StringColumn.Builder(10);
        for (int i = 0; i < 70_000; i++) {
            b.add("value-" + i + "-é");
        }
        StringColumn c = b.build();
        assertThat(c.size()).isEqualTo(70_000);
        assertThat(c.get(0)).isEqualTo("value-0-é");
        assertThat(c.get(69_999)).isEqualTo("value-69999-é");
        assertThat(c.equalsAt(65_536, "value-65536-é")).isTrue();
        assertThat(c.counts()).isEmpty();
    }

    @Test
    void aMissingCorruptOrTruncatedFile_isAnErrorThatSaysSo() throws IOException {
        assertThatThrownBy(() -> RosterLoader.load(dir.resolve("none.parquet"))).hasMessageContaining("does not exist");
        Path garbage = dir.resolve("garbage.parquet");
        Files.write(garbage, "this is not parquet at all, just text".getBytes());
        assertThatThrownBy(() -> RosterLoader.load(garbage)).isInstanceOf(IOException.class)
                .hasMessageContaining("garbage.parquet");
        Path good = dir.resolve("good.parquet");
        RosterGenerator.write(good, 2_000, 42, n -> { });
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.parquet");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> RosterLoader.load(truncated)).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated.parquet");
    }

    @Test
    void rowCounts_outsideTheIdRange_areRefused() {
        assertThatThrownBy(() -> RosterGenerator.write(dir.resolve("x.parquet"), 1_000_000, 1, n -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("six digits");
    }
}
