package dev.lakehouse.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;

/**
 * Whether two answers to one request say the same (docs/cutover.md, "parity"): the same status, and bodies that are
 * equal as JSON once normalised — keys of {@link CutoverTable#ALWAYS_IGNORED} and the route's {@code ignore} removed at
 * any depth, the arrays under the route's {@code unordered} keys sorted, numbers equal within {@code tolerance}
 * (relative, or absolute near zero). A body that is not JSON is compared byte for byte. The difference is said as the
 * first few JSON paths that differ, bounded.
 */
final class Parity {
    static final int MAX_PATHS = 10;
    static final int MAX_DIFF_CHARS = 2_000;

    private Parity() {
    }

    /** Empty when they match; else what differs. */
    static Optional<String> compare(Upstream.Captured served, Upstream.Captured shadow, CutoverTable.Normalize n) {
        if (served.status() != shadow.status()) {
            return Optional.of("status " + served.status() + " vs " + shadow.status());
        }
        if (served.body() == null || shadow.body() == null) {
            return Optional.empty();   // streamed: not compared (counted apart by the caller)
        }
        JsonNode a = json(served.body());
        JsonNode b = json(shadow.body());
        if (a == null || b == null) {
            return java.util.Arrays.equals(served.body(), shadow.body()) ? Optional.empty()
                    : Optional.of("bodies differ (" + served.body().length + " vs " + shadow.body().length + " bytes, not both JSON)");
        }
        Set<String> ignore = new HashSet<>(CutoverTable.ALWAYS_IGNORED);
        ignore.addAll(n.ignore());
        List<String> paths = new ArrayList<>();
        diff("$", normalize(a, ignore, Set.copyOf(n.unordered())), normalize(b, ignore, Set.copyOf(n.unordered())), n.tolerance(), paths);
        if (paths.isEmpty()) {
            return Optional.empty();
        }
        String said = String.join("; ", paths);
        return Optional.of(said.length() > MAX_DIFF_CHARS ? said.substring(0, MAX_DIFF_CHARS) + "…" : said);
    }

    private static JsonNode json(byte[] body) {
        try {
            return body.length == 0 ? null : Json.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The tree without ignored keys, with unordered arrays sorted by their canonical text. */
    static JsonNode normalize(JsonNode node, Set<String> ignore, Set<String> unordered) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (ignore.contains(e.getKey())) {
                    continue;
                }
                JsonNode v = normalize(e.getValue(), ignore, unordered);
                if (unordered.contains(e.getKey()) && v.isArray()) {
                    List<JsonNode> items = new ArrayList<>();
                    v.forEach(items::add);
                    items.sort(java.util.Comparator.comparing(JsonNode::toString));
                    ArrayNode sorted = JsonNodeFactory.instance.arrayNode();
                    items.forEach(sorted::add);
                    v = sorted;
                }
                out.set(e.getKey(), v);
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(x -> out.add(normalize(x, ignore, unordered)));
            return out;
        }
        return node;
    }

    private static void diff(String at, JsonNode a, JsonNode b, double tolerance, List<String> out) {
        if (out.size() >= MAX_PATHS) {
            return;
        }
        if (a.isNumber() && b.isNumber()) {
            double x = a.asDouble();
            double y = b.asDouble();
            if (Math.abs(x - y) > tolerance * Math.max(1, Math.max(Math.abs(x), Math.abs(y)))) {
                out.add(at + ": " + a + " vs " + b);
            }
            return;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (!a.has(k) || !b.has(k)) {
                    out.add(at + "." + k + (a.has(k) ? ": only served" : ": only shadow"));
                } else {
                    diff(at + "." + k, a.get(k), b.get(k), tolerance, out);
                }
                if (out.size() >= MAX_PATHS) {
                    return;
                }
            }
            return;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                out.add(at + ": " + a.size() + " items vs " + b.size() + " (" + around(a.toString(), b.toString()) + ")");
                return;
            }
            for (int i = 0; i < a.size() && out.size() < MAX_PATHS; i++) {
                diff(at + "[" + i + "]", a.get(i), b.get(i), tolerance, out);
            }
            return;
        }
        if (!a.equals(b)) {
            out.add(at + ": " + around(a.toString(), b.toString()));
        }
    }

    /** Both values around where they first differ (long texts differing late are not cut before the difference). */
    static String around(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 30);
        return cut(a, from) + " vs " + cut(b, from);
    }

    private static String cut(String s, int from) {
        int to = Math.min(s.length(), from + 80);
        return (from > 0 ? "…" : "") + s.substring(from, to) + (to < s.length() ? "…" : "");
    }
}
