package dev.lakehouse.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last minutes of every daemon's request rate, error rates and p99 latency,
 * for the console's charts ({@code GET /v1/status/metrics}). Each daemon's
 * {@code http_server_requests_seconds} timer (HttpMetrics) is read from its
 * {@code /metrics} every interval, and the difference from the previous reading
 * becomes one point: requests/s, 5xx/s, 4xx/s and the p99 (the upper bound of
 * the bucket that holds it). The kit's own routes ({@code /health}, {@code /ready},
 * {@code /metrics}) are not counted: the console's polling would be all they showed.
 * <p>
 * Bounded: {@link #POINTS} points per daemon. Sampled only while someone has
 * asked within {@link #WATCHED}: an unwatched gateway scrapes nothing. A daemon
 * that does not answer gets a point of nulls (a gap in the chart); one whose
 * counters went back (a restart) starts again from zero.
 */
final class MetricsHistory implements AutoCloseable {
    static final int POINTS = 120;
    static final Duration WATCHED = Duration.ofMinutes(5);
    private static final Logger LOG = Logger.getLogger(MetricsHistory.class.getName());
    private static final String COUNT = "http_server_requests_seconds_count{";
    private static final String BUCKET = "http_server_requests_seconds_bucket{";
    private static final Set<String> KIT_ROUTES = Set.of("/health", "/ready", "/metrics");

    /** One daemon's counters since it started, summed over its routes: the total, 5xx, 4xx, and the cumulative buckets by upper bound (s). */
    record Counts(double total, double e5xx, double e4xx, TreeMap<Double, Double> buckets) {
    }

    /** A reading and when it was taken (ms since the epoch). */
    record Reading(long t, Counts counts) {
    }

    /** One sample: when (ms since the epoch), requests/s, 5xx/s, 4xx/s, p99 in ms (null: no requests, or no answer). */
    record Point(long t, Double rps, Double e5xx, Double e4xx, Double p99Ms) {
    }

    private final Map<String, Supplier<String>> sources;
    private final Duration interval;
    private final LongSupplier clock;
    private final Map<String, ArrayDeque<Point>> series = new LinkedHashMap<>();
    private final Map<String, Reading> last = new LinkedHashMap<>();
    private volatile long askedAt = Long.MIN_VALUE;
    private dev.lakehouse.common.Periodic timer;

    /** @param sources each daemon's name and how to read its Prometheus text (null or an exception: no answer) */
    MetricsHistory(Map<String, Supplier<String>> sources, Duration interval, LongSupplier clock) {
        this.sources = Map.copyOf(sources);
        this.interval = interval;
        this.clock = clock;
        sources.keySet().stream().sorted().forEach(d -> series.put(d, new ArrayDeque<>()));
    }

    /**
     * The series, columnar as the charts take them:
     * {@code {"interval_s":5,"daemons":{"embedd":{"t":[…],"rps":[…],"e5xx":[…],"e4xx":[…],"p99_ms":[…]}}}}.
     * The first call starts the sampling (and takes a first reading at once).
     */
    synchronized Map<String, Object> view() {
        boolean idle = askedAt == Long.MIN_VALUE || clock.getAsLong() - askedAt > WATCHED.toMillis();
        askedAt = clock.getAsLong();
        if (timer == null) {
            timer = dev.lakehouse.common.Periodic.every("metrics-history", interval, this::sampleIfWatched);
        }
        if (idle) {
            timer.runNow(this::sampleIfWatched);
        }
        Map<String, Object> daemons = new LinkedHashMap<>();
        series.forEach((name, points) -> {
            Map<String, List<Object>> columns = new LinkedHashMap<>();
            columns.put("t", points.stream().map(p -> (Object) (p.t() / 1000.0)).toList());
            columns.put("rps", points.stream().map(p -> (Object) p.rps()).toList());
            columns.put("e5xx", points.stream().map(p -> (Object) p.e5xx()).toList());
            columns.put("e4xx", points.stream().map(p -> (Object) p.e4xx()).toList());
            columns.put("p99_ms", points.stream().map(p -> (Object) p.p99Ms()).toList());
            daemons.put(name, columns);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval_s", interval.toMillis() / 1000.0);
        out.put("points", POINTS);
        out.put("daemons", daemons);
        return out;
    }

    private void sampleIfWatched() {
        if (clock.getAsLong() - askedAt > WATCHED.toMillis()) {
            return;
        }
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "metrics sample failed", e);
        }
    }

    /** One reading of every source (in parallel), each turned into a point. */
    void sample() {
        Map<String, Future<String>> reads = new LinkedHashMap<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            sources.forEach((name, source) -> reads.put(name, pool.submit(source::get)));
        }
        long now = clock.getAsLong();
        synchronized (this) {
            reads.forEach((name, read) -> {
                String text;
                try {
                    text = read.get();
                } catch (Exception e) {
                    text = null;
                }
                Reading reading = text == null ? null : new Reading(now, parse(text));
                add(name, point(now, reading, last.get(name), interval));
                if (reading != null) {
                    last.put(name, reading);
                } else {
                    last.remove(name);
                }
            });
        }
    }

    private void add(String name, Point p) {
        ArrayDeque<Point> points = series.get(name);
        points.addLast(p);
        while (points.size() > POINTS) {
            points.removeFirst();
        }
    }

    /**
     * The point between two readings; without both, or when the earlier is older
     * than three intervals (nobody watched in between), a point of nulls at the later's time.
     */
    static Point point(long t, Reading later, Reading earlier, Duration interval) {
        if (later == null || earlier == null || later.t() - earlier.t() > 3 * interval.toMillis() || later.t() <= earlier.t()) {
            return new Point(t, null, null, null, null);
        }
        Counts now = later.counts();
        Counts before = earlier.counts();
        if (now.total() < before.total()) {   // restarted: its counters began again
            before = new Counts(0, 0, 0, new TreeMap<>());
        }
        double seconds = (later.t() - earlier.t()) / 1000.0;
        double requests = now.total() - before.total();
        Double p99 = null;
        if (requests > 0) {
            double target = 0.99 * requests;
            for (var b : now.buckets().entrySet()) {
                double below = b.getValue() - before.buckets().getOrDefault(b.getKey(), 0.0);
                if (below >= target) {
                    p99 = b.getKey().isInfinite() ? null : b.getKey() * 1000;
                    break;
                }
            }
        }
        return new Point(t, round(requests / seconds), round((now.e5xx() - before.e5xx()) / seconds),
                round((now.e4xx() - before.e4xx()) / seconds), p99);
    }

    private static double round(double v) {
        return Math.round(Math.max(v, 0) * 1000) / 1000.0;
    }

    /**
     * The request timer's counts in Prometheus text: linear in its length; lines
     * that are not the timer's, or that cannot be read, are skipped.
     */
    static Counts parse(String text) {
        double total = 0;
        double e5 = 0;
        double e4 = 0;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : text.split("\n")) {
            boolean count = line.startsWith(COUNT);
            if (!count && !line.startsWith(BUCKET)) {
                continue;
            }
            int close = line.lastIndexOf('}');
            if (close < 0) {
                continue;
            }
            Map<String, String> labels = labels(line, line.indexOf('{') + 1, close);
            double value;
            try {
                value = Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (labels == null || labels.containsKey("route") && KIT_ROUTES.contains(labels.get("route"))) {
                continue;
            }
            if (count) {
                total += value;
                String status = labels.getOrDefault("status", "");
                e5 += status.startsWith("5") ? value : 0;
                e4 += status.startsWith("4") ? value : 0;
            } else {
                String le = labels.get("le");
                try {
                    buckets.merge(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), value, Double::sum);
                } catch (RuntimeException e) {
                    // a bucket without a readable bound: skipped
                }
            }
        }
        return new Counts(total, e5, e4, buckets);
    }

    /** {@code name="value",…} between {@code from} and {@code to}, with {@code \"} and {@code \\} escapes; null if malformed. */
    static Map<String, String> labels(String s, int from, int to) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = from;
        while (i < to) {
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq + 1 >= to || s.charAt(eq + 1) != '"') {
                return null;
            }
            String name = s.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < to && s.charAt(j) != '"'; j++) {
                char c = s.charAt(j);
                if (c == '\\' && j + 1 < to) {
                    c = s.charAt(++j);
                    value.append(c == 'n' ? '\n' : c);
                } else {
                    value.append(c);
                }
            }
            if (j >= to) {
                return null;
            }
            out.put(name, value.toString());
            i = j + 1;
            if (i < to && s.charAt(i) == ',') {
                i++;
            }
        }
        return out;
    }

    /** A source that reads {@code /metrics} through an upstream; null when it does not answer 200. */
    static Supplier<String> scrape(Upstream upstream, Duration timeout) {
        return () -> {
            Upstream.Probe p = upstream.get("/metrics", timeout);
            return p.status() == 200 ? new String(p.body(), StandardCharsets.UTF_8) : null;
        };
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.close(java.time.Duration.ZERO);
        }
    }
}
