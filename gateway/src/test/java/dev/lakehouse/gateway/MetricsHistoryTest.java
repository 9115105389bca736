package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.lakehouse.common.HttpMetrics;
import org.junit.jupiter.api.Test;

/**
 * The console's charts: a daemon's request timer read from its real Prometheus text
 * (HttpMetrics), turned into rates and a p99 between two readings; restarts, silences,
 * stale readings, the kit's own routes, the bound on points and text that is not Prometheus's.
 */
class MetricsHistoryTest {
    static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void twoReadings_giveTheRatesAndTheP99_ofTheRequestsBetweenThem_withoutTheKitsRoutes() {
        HttpMetrics metrics = new HttpMetrics("embedd");
        for (int i = 0; i < 50; i++) {
            metrics.record("GET", "/health", 200, 100_000);     // the console's own polling: not counted
        }
        MetricsHistory.Reading first = new MetricsHistory.Reading(10_000, MetricsHistory.parse(metrics.scrape()));
        for (int i = 0; i < 97; i++) {
            metrics.record("POST", "/v1/embed", 200, 3_000_000);        // 3 ms: the 5 ms bucket
        }
        metrics.record("POST", "/v1/embed", 503, 200_000_000);          // 200 ms: the 250 ms bucket
        metrics.record("POST", "/v1/embed", 503, 200_000_000);
        metrics.record("POST", "/v1/embed", 400, 200_000);
        metrics.record("POST", "/v1/embed", 400, 200_000);
        MetricsHistory.Reading second = new MetricsHistory.Reading(12_000, MetricsHistory.parse(metrics.scrape()));

        MetricsHistory.Point p = MetricsHistory.point(12_000, second, first, SECOND);
        assertThat(p.rps()).isEqualTo(50.5);        // 101 requests in 2 s
        assertThat(p.e5xx()).isEqualTo(1.0);
        assertThat(p.e4xx()).isEqualTo(1.0);
        assertThat(p.p99Ms()).isEqualTo(250.0);     // 99 of 101 within 5 ms: the 100th lies in the 250 ms bucket
    }

    @Test
    void noRequests_haveNoP99_aRestartCountsFromZero_andMissingOrStaleReadingsAreGaps() {
        HttpMetrics metrics = new HttpMetrics("chatd");
        MetricsHistory.Reading idle = new MetricsHistory.Reading(1_000, MetricsHistory.parse(metrics.scrape()));
        MetricsHistory.Point quiet = MetricsHistory.point(2_000, new MetricsHistory.Reading(2_000, idle.counts()), idle, SECOND);
        assertThat(quiet.rps()).isZero();
        assertThat(quiet.p99Ms()).isNull();

        for (int i = 0; i < 10; i++) {
            metrics.record("POST", "/v1/chat", 200, 1_000_000);
        }
        MetricsHistory.Reading busy = new MetricsHistory.Reading(3_000, MetricsHistory.parse(metrics.scrape()));
        HttpMetrics restarted = new HttpMetrics("chatd");
        restarted.record("POST", "/v1/chat", 200, 1_000_000);
        MetricsHistory.Reading after = new MetricsHistory.Reading(4_000, MetricsHistory.parse(restarted.scrape()));
        assertThat(MetricsHistory.point(4_000, after, busy, SECOND).rps()).as("counters went back: a restart").isEqualTo(1.0);

        assertThat(MetricsHistory.point(5_000, null, after, SECOND)).isEqualTo(new MetricsHistory.Point(5_000, null, null, null, null));
        assertThat(MetricsHistory.point(5_000, after, null, SECOND).rps()).isNull();
        MetricsHistory.Reading late = new MetricsHistory.Reading(4_000 + 3_001, after.counts());
        assertThat(MetricsHistory.point(late.t(), late, after, SECOND).rps()).as("older than three intervals").isNull();
    }

    @Test
    void parse_skipsWhatIsNotTheTimer_andReadsEscapedLabels() {
        String text = """
                # HELP http_server_requests_seconds HTTP requests
                # TYPE http_server_requests_seconds histogram
                http_server_requests_seconds_count{daemon="x",method="GET",route="/v1/a\\"b}",status="200"} 7
                http_server_requests_seconds_bucket{daemon="x",method="GET",route="/v1/a\\"b}",status="200",le="0.005"} 6
                http_server_requests_seconds_bucket{daemon="x",method="GET",route="/v1/a\\"b}",status="200",le="+Inf"} 7
                http_server_requests_seconds_count{broken 3
                http_server_requests_seconds_count{route="/v1/b",status="500"} not-a-number
                http_server_requests_seconds_count{route="/v1/c",status="500"
                http_server_requests_seconds_count{route="/v1/d",status="502"} 2 1733000000000
                jvm_memory_used_bytes{area="heap"} 1.0E7
                """;
        MetricsHistory.Counts c = MetricsHistory.parse(text);
        assertThat(c.total()).isEqualTo(9);
        assertThat(c.e5xx()).isEqualTo(2);
        assertThat(c.buckets()).containsEntry(0.005, 6.0).containsEntry(Double.POSITIVE_INFINITY, 7.0);
        String escaped = "a=\"1\",b=\"x\\\\y\\n\"";
        assertThat(MetricsHistory.labels(escaped, 0, escaped.length())).isEqualTo(Map.of("a", "1", "b", "x\\y\n"));
        assertThat(MetricsHistory.labels("a=1", 0, 3)).isNull();
        assertThat(MetricsHistory.parse("").total()).isZero();
    }

    @Test
    void parse_survivesHugeEscapeRuns_andLinesOfAHundredThousandLabels() {
        String escapes = "http_server_requests_seconds_count{route=\"" + "\\".repeat(100_001) + "} 5\n";
        String noRoute = "http_server_requests_seconds_count{" + "a=\"b\",".repeat(200_000) + "status=\"503\"} 1\n";
        MetricsHistory.Counts c = MetricsHistory.parse(escapes.repeat(20) + noRoute);
        assertThat(c.total()).isEqualTo(1);
        assertThat(c.e5xx()).isEqualTo(1);
    }

    @Test
    void view_sampledWhileWatched_keepsAtMostThePointsItIsBoundTo_andNamesEveryDaemon() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        HttpMetrics metrics = new HttpMetrics("vectord");
        AtomicReference<String> down = new AtomicReference<>(null);
        MetricsHistory history = new MetricsHistory(Map.of("vectord", metrics::scrape, "truthd", down::get,
                "journald", () -> {
                    throw new IllegalStateException("connection refused");
                }), Duration.ofHours(1), clock::get);
        try {
            for (int i = 0; i < MetricsHistory.POINTS + 30; i++) {
                metrics.record("PUT", "/v1/indexes/{name}", 201, 1_000_000);
                clock.addAndGet(1_000);
                history.sample();
            }
            @SuppressWarnings("unchecked")
            Map<String, Map<String, List<Object>>> daemons = (Map<String, Map<String, List<Object>>>) history.view().get("daemons");
            assertThat(daemons.keySet()).containsExactly("journald", "truthd", "vectord");
            assertThat(daemons.get("vectord").get("t")).hasSize(MetricsHistory.POINTS);
            assertThat(daemons.get("vectord").get("rps")).last().isEqualTo(1.0);
            assertThat(daemons.get("truthd").get("rps")).hasSize(MetricsHistory.POINTS).containsOnlyNulls();
            assertThat(daemons.get("journald").get("rps")).containsOnlyNulls();
        } finally {
            history.close();
        }
    }
}
