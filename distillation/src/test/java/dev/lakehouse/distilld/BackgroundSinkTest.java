package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The materializer's writer thread: every record, in the order it was made, and a failed write said. */
class BackgroundSinkTest {
    @TempDir
    Path dir;

    @Test
    void everyRecord_isWritten_inTheOrderItWasMade_whateverTheQueueHeld() throws Exception {
        Exporter.Out evidence = new Exporter.Out(dir.resolve("evidence.jsonl"));
        Exporter.Out quarantine = new Exporter.Out(dir.resolve("quarantine.jsonl"));
        try (evidence; quarantine; BackgroundSink sink = new BackgroundSink(evidence, quarantine)) {
            for (int i = 0; i < 20_000; i++) {   // five times the queue
                if (i % 10 == 3) {
                    sink.quarantine(new Quarantined("q-" + i, Quarantined.Reason.values()[0], "d", "f", i, null, "raw " + i));
                } else {
                    sink.evidence(new Evidence("e" + i, "h" + i, Evidence.Type.CHAT, null, "2026-12-07T00:00:00Z", List.of("ev" + i),
                            JsonNodeFactory.instance.objectNode().put("n", i)));
                }
            }
        }
        List<String> e = Files.readAllLines(dir.resolve("evidence.jsonl"));
        List<String> q = Files.readAllLines(dir.resolve("quarantine.jsonl"));
        assertThat(e).hasSize(18_000);
        assertThat(q).hasSize(2_000);
        int ei = 0;
        int qi = 0;
        for (int i = 0; i < 20_000; i++) {
            if (i % 10 == 3) {
                assertThat(Json.mapper().readTree(q.get(qi++)).path("offset").asInt()).isEqualTo(i);
            } else {
                assertThat(Json.mapper().readTree(e.get(ei++)).path("content").path("n").asInt()).isEqualTo(i);
            }
        }
    }

    @Test
    void aWriteThatFails_isThrownByTheNextRecordOrByClose() throws Exception {
        Exporter.Out evidence = new Exporter.Out(dir.resolve("evidence.jsonl"));
        Exporter.Out quarantine = new Exporter.Out(dir.resolve("quarantine.jsonl"));
        evidence.close();   // a write to it now fails
        BackgroundSink sink = new BackgroundSink(evidence, quarantine);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                sink.evidence(new Evidence("e" + i, "h", Evidence.Type.CHAT, null, "2026-12-07T00:00:00Z", List.of(),
                        JsonNodeFactory.instance.objectNode().put("pad", "x".repeat(1000))));
            }
            sink.close();
        }).isInstanceOf(IOException.class);
        quarantine.close();
    }
}
