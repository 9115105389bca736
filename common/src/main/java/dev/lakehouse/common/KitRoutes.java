package dev.lakehouse.common;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What every daemon answers besides its own API:
 * <pre>
 * GET /health   200 {"status":"UP","daemon":"embedd","version":"0.1.0","uptime_s":12,"rss_bytes":91234304}
 * GET /ready    200 {"status":"UP","checks":{…}} or 503 {"status":"DOWN","checks":{"roster":"loading"}}
 * GET /metrics  Prometheus text
 * </pre>
 * {@code curl -s localhost:4216/ready}
 */
record KitRoutes(String daemon, String version, Instant started, Map<String, Supplier<Readiness>> checks,
        BooleanSupplier stopping, HttpMetrics metrics) implements HttpService {
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.GET, "/health", this::health);
        Routes.only(rules, Method.GET, "/ready", this::ready);
        Routes.only(rules, Method.GET, "/metrics", this::metrics);
    }

    /** {@code rssBytes}: the process's resident set (Linux {@code /proc/self/statm}); null where it cannot be read. */
    record Health(String status, String daemon, String version, long uptimeS, Long rssBytes) {
    }

    /**
     * {@code needs_operator}: true when every failing check waits for an operator (absent otherwise); {@code waiting_for}:
     * the peers the failing checks wait on, when every one waits on a peer or an operator (absent otherwise).
     */
    record Ready(String status, Map<String, String> checks, Boolean needsOperator, java.util.List<String> waitingFor) {
    }

    private void health(ServerRequest req, ServerResponse res) {
        long uptime = Duration.between(started, Instant.now()).toSeconds();
        Json.send(res, 200, new Health("UP", daemon, version, uptime, residentBytes()));
    }

    private static final java.nio.file.Path STATM = java.nio.file.Path.of("/proc/self/statm");
    private static final long PAGE = 4096;

    /** The last reading of the resident set and when it was taken: /health reads /proc at most every 250 ms. */
    private static volatile long[] rss;

    static Long residentBytes() {
        long[] last = rss;
        long now = System.nanoTime();
        if (last != null && now - last[1] < 250_000_000L) {
            return last[0] < 0 ? null : last[0];
        }
        Long read = readResidentBytes();
        rss = new long[] {read == null ? -1 : read, now};
        return read;
    }

    private static Long readResidentBytes() {
        try {
            String[] fields = java.nio.file.Files.readString(STATM).trim().split(" ");
            return Long.parseLong(fields[1]) * PAGE;
        } catch (java.io.IOException | RuntimeException e) {
            return null;   // not Linux, or no /proc: the field is left out
        }
    }

    private void ready(ServerRequest req, ServerResponse res) {
        Map<String, String> results = new LinkedHashMap<>();
        boolean up = !stopping.getAsBoolean();
        boolean operator = up;   // every failing check needs an operator (and the server is not stopping)
        boolean peerOrOperator = up;
        java.util.Set<String> peers = new java.util.TreeSet<>();
        if (!up) {
            results.put("server", "stopping");
        }
        for (var check : checks.entrySet()) {
            Readiness r;
            try {
                r = check.getValue().get();
            } catch (RuntimeException e) {
                r = Readiness.down("check failed: " + e.getMessage());
            }
            results.put(check.getKey(), r.detail());
            up &= r.isReady();
            operator &= r.isReady() || r.needsOperator();
            peerOrOperator &= r.isReady() || r.needsOperator() || r.waitingFor() != null;
            if (!r.isReady() && r.waitingFor() != null) {
                peers.add(r.waitingFor());
            }
        }
        Json.send(res, up ? 200 : 503, new Ready(up ? "UP" : "DOWN", results, !up && operator ? Boolean.TRUE : null,
                !up && peerOrOperator && !peers.isEmpty() ? java.util.List.copyOf(peers) : null));
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TYPE);
        res.send(metrics.scrape());
    }
}
