package dev.lakehouse.it.harness;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests:
 * every line is a well-formed HELP, TYPE or sample line, every sample belongs to a
 * family with a TYPE, and every value parses. Returns samples keyed by
 * {@code name{labels}} as written.
 */
public final class PrometheusText {
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)( -?\\d+)?");

    private PrometheusText() {
    }

    public static Map<String, Double> parse(String text) {
        Set<String> families = new HashSet<>();
        Map<String, Double> samples = new HashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                families.add(type.group(1));
                continue;
            }
            if (HELP.matcher(line).matches()) {
                continue;
            }
            if (line.startsWith("#")) {
                throw new IllegalArgumentException("line " + lineNo + " is an unknown comment: " + line);
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new IllegalArgumentException("line " + lineNo + " is not a sample: " + line);
            }
            String name = sample.group(1);
            String family = name.replaceAll("_(bucket|count|sum|total|created|max)$", "");
            if (!families.contains(name) && !families.contains(family)) {
                throw new IllegalArgumentException("line " + lineNo + ": sample " + name + " has no # TYPE");
            }
            String value = sample.group(3);
            double v = switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(value);
            };
            samples.put(name + (sample.group(2) == null ? "" : sample.group(2)), v);
        }
        return samples;
    }
}
