package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-place masking: her lines masked to the same length, everyone else's bytes untouched, and again is a no-op. */
class FileErasureTest {
    static final SubjectIdentifiers ANA = SubjectIdentifiers.of(List.of("W000123", "Ana Ruiz", "614-555-0101"));

    @Test
    void masksHerLinesInPlace_keepsEveryOffset_andLeavesOthersByteIdentical(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("2026-12-06.jsonl");
        List<String> lines = List.of(
                "{\"event_id\":\"e1\",\"text\":\"Ana Ruiz (W000123) asked for nights\"}",
                "{\"event_id\":\"e2\",\"text\":\"Bo Li, W000124, 614-555-0102\"}",
                "{\"event_id\":\"e3\",\"text\":\"call her at 614 555 0101, Zoë\"}",
                "not json: W000123",
                "{\"event_id\":\"e4\",\"text\":\"nothing personal\"}");
        Files.writeString(f, String.join("\n", lines) + "\n");
        byte[] before = Files.readAllBytes(f);
        Path other = dir.resolve("sub/bin.dat");
        Files.createDirectories(other.getParent());
        Files.write(other, new byte[] {0, 'W', '0', '0', '0', '1', '2', '3'});

        FileErasure.Masked m = FileErasure.maskTree(dir, ANA);

        byte[] after = Files.readAllBytes(f);
        assertThat(after).hasSameSizeAs(before);
        List<String> now = Files.readAllLines(f, StandardCharsets.UTF_8);
        assertThat(now.get(1)).isEqualTo(lines.get(1));
        assertThat(now.get(4)).isEqualTo(lines.get(4));
        assertThat(now.get(0)).isEqualTo("{\"event_id\":\"e1\",\"text\":\"******** (*******) asked for nights\"}");
        assertThat(now.get(3)).isEqualTo("not json: *******");
        for (String l : List.of(now.get(0), now.get(2))) {
            assertThat(Json.mapper().readTree(l).path("event_id").asText()).startsWith("e");
        }
        assertThat(m.linesMasked()).isEqualTo(3);
        assertThat(m.filesChanged()).isEqualTo(1);
        assertThat(m.files()).as("the binary file is not read as text").isEqualTo(1);
        assertThat(Files.readAllBytes(other)).as("binary files are their daemon's to erase").contains('W');
        assertThat(ErasureScan.scan(dir.resolve("2026-12-06.jsonl").getParent(), ANA.identifiers(),
                p -> p.equals(other) ? java.util.Optional.of("") : java.util.Optional.empty()).matches()).isZero();
        assertThat(FileErasure.maskTree(dir, ANA).linesMasked()).as("a second run finds nothing").isZero();
    }

    @Test
    void theScan_findsEveryFormAcrossBlockBoundaries_andCountsEachOnce(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.txt");
        StringBuilder sb = new StringBuilder();
        while (sb.length() < (1 << 20) - 5) {
            sb.append('x');
        }
        sb.append("W000123 ").append("y".repeat(1000)).append(" (614) 555-0101 ").append("Ruiz, Ana").append('\n');
        Files.writeString(f, sb.toString());
        ErasureScan.Report r = ErasureScan.scan(dir, ANA.identifiers());
        assertThat(r.matches()).isEqualTo(3);
        assertThat(r.filesWithMatches()).containsExactly("big.txt");
        assertThat(r.bytes()).isEqualTo(Files.size(f));
    }

    @Test
    void aFileOfManyChunks_andALineLongerThanAChunk_areMaskedAtTheirOffsets(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.jsonl");
        StringBuilder sb = new StringBuilder();
        int n = 0;
        while (sb.length() < 9 << 20) {
            sb.append("{\"n\":").append(n).append(",\"text\":\"").append(n % 50_000 == 7 ? "call Ana Ruiz" : "nothing here").append("\"}\n");
            n++;
        }
        sb.append("{\"text\":\"").append("x".repeat(5 << 20)).append(" W000123\"}\n");
        sb.append("{\"tail\":\"614-555-0101\"}");   // no newline at the end
        Files.writeString(f, sb.toString());
        long size = Files.size(f);
        FileErasure.Masked m = FileErasure.maskInPlace(f, ANA);
        String after = Files.readString(f);
        assertThat(Files.size(f)).isEqualTo(size);
        assertThat(after).doesNotContain("Ana Ruiz").doesNotContain("W000123").doesNotContain("614-555-0101");
        assertThat(after.replace("************", "614-555-0101").replace("********", "Ana Ruiz").replace("*******\"", "W000123\""))
                .isEqualTo(sb.toString());
        assertThat(m.linesMasked()).isEqualTo((n + 49_992) / 50_000 + 2);
    }
}
