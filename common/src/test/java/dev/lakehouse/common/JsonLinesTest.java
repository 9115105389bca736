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
}
