package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The parity check's normalisation: ignored keys at any depth, unordered arrays, float tolerance, statuses, non-JSON bodies. */
class ParityTest {
    static Upstream.Captured c(int status, String body) {
        return new Upstream.Captured(status, "application/json", body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    static final CutoverTable.Normalize N = new CutoverTable.Normalize(List.of("id"), 1e-6, List.of("hits"));

    @Test
    void timingsIdsOrderAndFloatNoise_areNotDifferences() {
        assertThat(Parity.compare(c(200, "{\"took_ms\":3,\"a\":{\"latency_ms\":9,\"id\":\"x\",\"v\":0.3},\"hits\":[{\"d\":1},{\"d\":2}]}"),
                c(200, "{\"took_ms\":70,\"a\":{\"latency_ms\":1,\"id\":\"y\",\"v\":0.30000000001},\"hits\":[{\"d\":2},{\"d\":1}]}"), N))
                .isEmpty();
    }

    @Test
    void realDifferences_areSaidByPath_boundedInNumber() {
        assertThat(Parity.compare(c(200, "{\"a\":1,\"b\":[1,2],\"c\":\"x\"}"), c(200, "{\"a\":2,\"b\":[1],\"d\":true}"), N)).get()
                .asString().contains("$.a: 1 vs 2", "$.b: 2 items vs 1", "$.c: only served", "$.d: only shadow");
        assertThat(Parity.compare(c(200, "{}"), c(503, "{}"), N)).contains("status 200 vs 503");
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 50; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        String diff = Parity.compare(c(200, many + "}"), c(200, "{}"), N).orElseThrow();
        assertThat(diff.split("; ")).hasSize(Parity.MAX_PATHS);
        assertThat(Parity.compare(c(200, "[1,2]"), c(200, "[2,1]"), N)).as("order counts outside the unordered keys").isPresent();
    }

    @Test
    void bodiesThatAreNotJson_areComparedAsBytes_andStreamedOnesNotAtAll() {
        assertThat(Parity.compare(c(200, "plain"), c(200, "plain"), N)).isEmpty();
        assertThat(Parity.compare(c(200, "plain"), c(200, "other"), N)).get().asString().contains("not both JSON");
        assertThat(Parity.compare(c(200, null), c(200, "{}"), N)).isEmpty();
    }
}
