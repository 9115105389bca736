package dev.lakehouse.distilld;

import dev.lakehouse.common.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quarantine review over a fixture run: list, show, release (fixed) and drop, each journaled; the next run reads what was released. */
class QuarantineReviewTest {
    @TempDir
    Path dir;

    JsonNode run(Path obs, String id) throws IOException {
        Path data = dir.resolve("distilld");
        return Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, data.resolve("runs").resolve(id), data.resolve("watermark.json"), Pipeline.Stage.ALL,
                null, false, 1, Set.of(), null), (a, b, c) -> { }));
    }

    @Test
    void releasedLines_areMaterializedByTheNextRun_droppedOnesNever_andEveryDecisionIsJournaledFirst() throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        run(obs, "run-t1");
        QuarantineReview review = new QuarantineReview(dir.resolve("distilld"));
        List<QuarantineReview.Item> all = review.list("run-t1", null);
        assertThat(all).hasSize(6).allSatisfy(i -> assertThat(i.status()).isEqualTo("pending"));
        QuarantineReview.Item bad = review.list("run-t1", "bad_json").get(0);
        assertThat(review.show("run-t1", bad.quarantined().quarantineId()).quarantined().raw()).isEqualTo("{not json");

        List<String> journal = new ArrayList<>();
        String fixed = "{\"event_id\":\"fixed-1\",\"ts\":\"2026-11-30T12:00:00Z\",\"kind\":\"chat.call\",\"payload\":{\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Fixed question\"}],\"output\":\"Fixed answer\"}}";
        QuarantineReview.Journal refusing = (type, subject, data) -> {
            throw new IOException("journald is down");
        };
        assertThatThrownBy(() -> review.release("run-t1", bad.quarantined().quarantineId(), fixed, "test", refusing))
                .hasMessageContaining("journald is down");
        assertThat(review.show("run-t1", bad.quarantined().quarantineId()).status()).as("not journaled, not decided").isEqualTo("pending");
        QuarantineReview.Journal recording = (type, subject, data) -> journal.add(type + " " + subject + " " + data.path("reason").asText());
        review.release("run-t1", bad.quarantined().quarantineId(), fixed, "test", recording);
        String unknown = review.list("run-t1", "unknown_kind").get(0).quarantined().quarantineId();
        review.drop("run-t1", unknown, "test", recording);
        assertThat(journal).containsExactly("distill.quarantine.release " + bad.quarantined().quarantineId() + " bad_json",
                "distill.quarantine.drop " + unknown + " unknown_kind");
        assertThat(review.show("run-t1", unknown).status()).isEqualTo("dropped");
        assertThatThrownBy(() -> review.drop("run-t1", unknown, "test", recording)).isInstanceOf(ApiException.Conflict.class);
        assertThatThrownBy(() -> review.show("run-t1", "q-00000000000000000000")).isInstanceOf(ApiException.NotFound.class);
        assertThatThrownBy(() -> review.list("run-nope", null)).isInstanceOf(ApiException.NotFound.class);

        JsonNode next = run(obs, "run-t2").path("stages").path("materialize");
        assertThat(next.path("lines").asLong()).as("only the released line").isEqualTo(1);
        assertThat(next.path("evidence").asLong()).isEqualTo(1);
        assertThat(run(obs, "run-t3").path("stages").path("materialize").path("lines").asLong()).as("read once").isZero();
    }
}
