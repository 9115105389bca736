package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLog;

/**
 * Audit baselines (docs/distilld.md): after every run, one record in {@code <data>/distilld/audit_baselines.jsonl}
 * — the run's counts per stage, category and class, the SFT length distribution, and every output file's hash —
 * and {@link #compare} for the drift of one run against another, with thresholds from a documented config.
 */
public final class Baselines {
    /** A record: {@code {"run","metrics":{"score.by_category.pii":12,…},"hashes":{"sft/trl.jsonl":"…",…}}}. */
    public record Baseline(String run, Map<String, Double> metrics, Map<String, String> hashes) {
    }

    /**
     * One metric of a comparison: its values in {@code unit} ({@code per_1000_lines} for a count, {@code value} for a
     * mean or a maximum), the relative change, the threshold, and whether it was crossed.
     */
    public record Drift(String metric, String unit, double baseline, double current, double change, double threshold, boolean crossed) {
    }

    /**
     * The thresholds: a relative change allowed per metric, a default, and {@code min_count}: a count metric crosses only
     * when it counted at least this many in one of the two runs (a share of three records moves by a third when one more
     * comes; that is noise, not drift).
     */
    public record Thresholds(Double defaults, Map<String, Double> metrics, Long minCount) {
        public Thresholds {
            defaults = defaults == null ? 0.5 : defaults;
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
            minCount = minCount == null ? 20L : minCount;
            if (!(defaults >= 0) || metrics.values().stream().anyMatch(v -> v == null || !(v >= 0)) || minCount < 0) {
                throw new IllegalArgumentException("thresholds are numbers >= 0 and min_count a count >= 0");
            }
        }

        public Thresholds(Double defaults, Map<String, Double> metrics) {
            this(defaults, metrics, null);
        }

        double of(String metric) {
            return metrics.getOrDefault(metric, defaults);
        }

        /** A threshold file: {@code {"defaults":0.5,"metrics":{"score.by_category.pii":1.0}}}; one that does not parse stops, naming it. */
        public static Thresholds load(Path file) {
            try {
                return Json.parse(Files.readAllBytes(file), Thresholds.class);
            } catch (IOException e) {
                throw new ConfigException("the threshold file " + file + " cannot be read: " + e.getMessage());
            } catch (ApiException e) {
                throw new ConfigException("the threshold file " + file + " is not a threshold config: " + e.detail());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("the threshold file " + file + ": " + e.getMessage());
            }
        }
    }

    private Baselines() {
    }

    /** A run's baseline, from its summary: every number under stages, flattened, and the files' hashes. */
    static Baseline of(String run, RunSummary typed) {
        JsonNode summary = Json.mapper().valueToTree(typed);
        Map<String, Double> metrics = new TreeMap<>();
        flatten("", summary.path("stages"), metrics);
        Map<String, String> hashes = new TreeMap<>();
        summary.path("files").fields().forEachRemaining(e -> hashes.put(e.getKey(), e.getValue().path("sha256").asText()));
        summary.path("stages").path("export").path("files").fields()
                .forEachRemaining(e -> hashes.put(e.getKey(), e.getValue().path("sha256").asText()));
        metrics.keySet().removeIf(k -> k.endsWith("took_ms") || k.endsWith(".sha256"));
        return new Baseline(run, metrics, hashes);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Double> out) {
        if (node.isNumber()) {
            out.put(prefix, node.asDouble());
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        }
    }

    static void append(Path file, Baseline b) throws IOException {
        try (JsonLog<Baseline> log = new JsonLog<>(file, Baseline.class)) {
            log.load(x -> { });
            log.append(List.of(b));
        }
    }

    /** Every baseline, oldest first; a line that is not one stops with the file and offset. */
    public static List<Baseline> read(Path file) throws IOException {
        return JsonLog.readAll(file, Baseline.class);
    }

    /** The metric every count is divided by: the lines the run read. */
    static final String VOLUME = "materialize.lines";

    /**
     * The drift of {@code current} against {@code base}: every metric of either, as a rate — a count per 1,000 lines the
     * run read, so an incremental run of a few minutes compares with a full run of a week — or, for a mean or a maximum,
     * as its value; its relative change and threshold. The volume itself is listed, never crossed.
     */
    public static List<Drift> compare(Baseline base, Baseline current, Thresholds t) {
        TreeMap<String, Boolean> names = new TreeMap<>();
        base.metrics().keySet().forEach(k -> names.put(k, true));
        current.metrics().keySet().forEach(k -> names.put(k, true));
        double baseLines = base.metrics().getOrDefault(VOLUME, 0.0);
        double currentLines = current.metrics().getOrDefault(VOLUME, 0.0);
        List<Drift> out = new ArrayList<>();
        for (String m : names.keySet()) {
            double bc = base.metrics().getOrDefault(m, 0.0);
            double cc = current.metrics().getOrDefault(m, 0.0);
            boolean count = !m.equals(VOLUME) && !m.endsWith(".mean") && !m.endsWith(".max");
            double b = count ? rate(bc, baseLines) : bc;
            double c = count ? rate(cc, currentLines) : cc;
            double change = b == c ? 0 : b == 0 ? Double.POSITIVE_INFINITY : Math.abs(c - b) / Math.abs(b);
            double threshold = t.of(m);
            boolean enough = !count || Math.max(bc, cc) >= t.minCount();
            out.add(new Drift(m, count ? "per_1000_lines" : "value", b, c, change, threshold,
                    !m.equals(VOLUME) && enough && change > threshold));
        }
        return out;
    }

    private static double rate(double count, double lines) {
        return lines <= 0 ? 0 : count * 1000.0 / lines;
    }
}
