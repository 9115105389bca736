package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
    @TempDir
    Path dir;

    @Test
    void repairTail_cutsAnUnterminatedLastLine() throws Exception {
        Path f = dir.resolve("a.jsonl");
        Files.writeString(f, "{\"a\":1}\n{\"a\":2}\n{\"a\":");
        assertThat(JsonLines.repairTail(f)).isEqualTo(5);
        assertThat(Files.readString(f)).isEqualTo("{\"a\":1}\n{\"a\":2}\n");
        assertThat(JsonLines.repairTail(f)).isZero();
    }

    @Test
    void repairTail_ofAFileWithNoCompleteLine_emptiesIt() throws Exception {
        Path f = dir.resolve("b.jsonl");
        Files.writeString(f, "{\"torn");
        JsonLines.repairTail(f);
        assertThat(Files.size(f)).isZero();
    }

    @Test
    void read_visitsCompleteLinesWithOffsets_andSkipsATornTail() throws Exception {
        Path f = dir.resolve("c.jsonl");
        Files.writeString(f, "one\ntwo\nthr");
        List<String> seen = new ArrayList<>();
        JsonLines.read(f, 0, (line, offset) -> seen.add(offset + ":" + new String(line, StandardCharsets.UTF_8)));
        assertThat(seen).containsExactly("0:one", "4:two");
        seen.clear();
        JsonLines.read(f, 4, (line, offset) -> seen.add(new String(line, StandardCharsets.UTF_8)));
        assertThat(seen).containsExactly("two");
    }

    /** Lines of every length across the reader's blocks (one longer than a block, empty ones), against a plain split. */
    @Test
    void read_linesAcrossBlocks_areTheFileSplitAtNewlines_withTheirOffsets() throws Exception {
        java.util.Random rnd = new java.util.Random(5);
        StringBuilder sb = new StringBuilder();
        List<String> expected = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 3_000; i++) {
            int len = i == 1_500 ? 700_000 : i % 97 == 0 ? 0 : rnd.nextInt(900);
            String line = "x".repeat(len).replace("xx", "é" + (i % 10));   // multi-byte characters too
            expected.add(offset + ":" + line);
            offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
            sb.append(line).append('\n');
        }
        Path f = dir.resolve("big.jsonl");
        Files.writeString(f, sb + "torn tail");
        List<String> seen = new ArrayList<>();
        JsonLines.read(f, 0, (line, at) -> seen.add(at + ":" + new String(line, StandardCharsets.UTF_8)));
        assertThat(seen).isEqualTo(expected);

        seen.clear();   // from a line's start in the middle, and stopping early
        String third = expected.get(2_000);
        long from = Long.parseLong(third.substring(0, third.indexOf(':')));
        JsonLines.read(f, from, (line, at) -> seen.add(at + ":" + new String(line, StandardCharsets.UTF_8)) && seen.size() < 5);
        assertThat(seen).isEqualTo(expected.subList(2_000, 2_005));
    }
}
