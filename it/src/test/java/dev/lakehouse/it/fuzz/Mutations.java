package dev.lakehouse.it.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lakehouse.common.Json;

/**
 * The bad inputs the fuzzer sends, derived from a route's valid example: every
 * field (and array element, and the whole body) replaced by null, each wrong JSON
 * type, empty, huge numbers, NaN and infinities, control characters, lone
 * surrogates, 70,000-character strings and repeated-letter strings for every regex,
 * or removed; the whole body malformed (truncated, trailing garbage, duplicate keys,
 * 5,000-deep nesting, invalid UTF-8); wrong content types; path parameters with dot
 * segments, encoded slashes, NUL and 5,000 characters; query parameters that are not
 * what they should be. Pure: no I/O, deterministic for a given example.
 *
 * <p>A mutated body is produced as JSON text: the example is copied with a marker at
 * the mutated place, serialized, and the marker replaced by the raw literal, so that
 * literals no JSON writer would produce ({@code NaN}, {@code "\ud800"}) go out as is.
 */
final class Mutations {
    static final String MARK = "\u0001FUZZ\u0001";
    static final String HUGE = "a".repeat(70_000);

    /** Raw JSON literals tried at every place of a body, by name. */
    static final Map<String, String> LITERALS = literals();

    private Mutations() {
    }

    private static Map<String, String> literals() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("null", "null");
        m.put("true", "true");
        m.put("false", "false");
        m.put("zero", "0");
        m.put("minus one", "-1");
        m.put("fraction", "1.5");
        m.put("negative zero", "-0.0");
        m.put("1e308", "1e308");
        m.put("-1e308", "-1e308");
        m.put("2^63", "9223372036854775808");
        m.put("-2^63-1", "-9223372036854775809");
        m.put("2^31", "2147483648");
        m.put("1e999", "1e999");
        m.put("1e-400", "1e-400");
        m.put("NaN", "NaN");
        m.put("Infinity", "Infinity");
        m.put("-Infinity", "-Infinity");
        m.put("empty string", "\"\"");
        m.put("string", "\"x\"");
        m.put("70k letters", '"' + HUGE + '"');
        m.put("control characters", "\"\\u0000\\u0001\\u001f\\u007f\\r\\n\\t\"");
        m.put("lone surrogate", "\"a\\ud800b\"");
        m.put("reversed surrogates", "\"\\udfff\\ud800\"");
        m.put("whitespace only", "\"   \\t\\n \"");
        m.put("empty array", "[]");
        m.put("empty object", "{}");
        m.put("array of null", "[null]");
        m.put("object of null", "{\"\":null}");
        m.put("nested arrays", "[".repeat(60) + "]".repeat(60));
        m.put("digits", '"' + "1".repeat(70_000) + '"');
        m.put("thousands groups", '"' + "111,".repeat(17_500) + '"');
        m.put("money", '"' + "$1,000,".repeat(10_000) + '"');
        m.put("at signs", '"' + "a@".repeat(35_000) + '"');
        m.put("dotted", '"' + "a.".repeat(35_000) + '"');
        m.put("spaces", '"' + " ".repeat(70_000) + '"');
        m.put("worker ids", '"' + "W000001 ".repeat(8_750) + '"');
        m.put("ssn-like", '"' + "ssn 123-45-6789 ".repeat(4_000) + '"');
        m.put("accented", '"' + "\u00e9".repeat(35_000) + '"');
        m.put("dot segments", "\"../../../etc/passwd\"");
        m.put("bidi and zero width", "\"\\u202e\\u200b\\ufeff\"");
        return m;
    }

    /** One mutated body: a label for the report, and the bytes. */
    record Body(String label, byte[] bytes) {
    }

    /** Every structured mutation of {@code example}: each place × each literal, removals, and list blow-ups. */
    static List<Body> structured(JsonNode example) {
        List<Body> out = new ArrayList<>();
        List<List<Object>> places = new ArrayList<>();
        collect(example, new ArrayList<>(), places);
        for (List<Object> place : places) {
            String where = describe(place);
            for (var literal : LITERALS.entrySet()) {
                out.add(new Body(where + " = " + literal.getKey(), replaced(example, place, literal.getValue())));
            }
            JsonNode at = at(example, place);
            if (!place.isEmpty() && place.getLast() instanceof String) {
                out.add(new Body(where + " removed", removed(example, place)));
            }
            if (at != null && at.isArray() && !at.isEmpty()) {
                String element = Json.mapper().valueToTree(at.get(0)).toString();
                out.add(new Body(where + " × 5,000 elements", replaced(example, place,
                        "[" + String.join(",", java.util.Collections.nCopies(5_000, element)) + "]")));
                out.add(new Body(where + " × 5,000 nulls", replaced(example, place,
                        "[" + String.join(",", java.util.Collections.nCopies(5_000, "null")) + "]")));
            }
            if (at != null && at.isObject()) {
                out.add(new Body(where + " + unknown field", replaced(example, place, withField(at, "fuzz_unknown", "1"))));
                out.add(new Body(where + " + 2,000 fields", replaced(example, place, manyFields(at, 2_000))));
            }
        }
        return out;
    }

    /** Malformed documents derived from the example (or from {@code {}} when the route takes no body). */
    static List<Body> malformed(JsonNode example) {
        String text = example == null ? "{}" : example.toString();
        List<Body> out = new ArrayList<>();
        out.add(new Body("truncated", utf8(text.substring(0, text.length() / 2))));
        out.add(new Body("trailing garbage", utf8(text + "x")));
        out.add(new Body("two documents", utf8(text + text)));
        out.add(new Body("trailing comma", utf8(text.endsWith("}") && text.length() > 2
                ? text.substring(0, text.length() - 1) + ",}" : text + ",")));
        if (example != null && example.isObject() && example.size() > 0) {
            String first = example.fieldNames().next();
            out.add(new Body("duplicate key " + first, utf8("{\"" + first + "\":" + example.get(first) + "," + text.substring(1))));
        }
        out.add(new Body("5,000-deep arrays", utf8("[".repeat(5_000) + "]".repeat(5_000))));
        out.add(new Body("5,000-deep objects", utf8("{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000))));
        out.add(new Body("5,000-deep inside the body", utf8(deepInside(example))));
        out.add(new Body("invalid UTF-8 in a string", injectInString(text, new byte[] {(byte) 0xC3, 0x28})));
        out.add(new Body("0xFF byte in a string", injectInString(text, new byte[] {(byte) 0xFF})));
        out.add(new Body("overlong UTF-8 slash", injectInString(text, new byte[] {(byte) 0xC0, (byte) 0xAF})));
        out.add(new Body("NUL byte outside strings", utf8("\u0000" + text)));
        out.add(new Body("byte order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(text))));
        out.add(new Body("UTF-16", text.getBytes(StandardCharsets.UTF_16)));
        out.add(new Body("empty body", new byte[0]));
        out.add(new Body("whitespace body", utf8(" \n\t ")));
        out.add(new Body("null body", utf8("null")));
        out.add(new Body("array body", utf8("[]")));
        out.add(new Body("string body", utf8("\"x\"")));
        out.add(new Body("number body", utf8("0")));
        out.add(new Body("empty object body", utf8("{}")));
        out.add(new Body("single quotes", utf8(text.replace('"', '\''))));
        out.add(new Body("comments", utf8("/* c */" + text)));
        out.add(new Body("unquoted keys", utf8(text.replaceAll("\"([a-z_]+)\":", "$1:"))));
        out.add(new Body("NaN bare", utf8("NaN")));
        out.add(new Body("huge number body", utf8("1" + "0".repeat(5_000))));
        return out;
    }

    /** Path parameter values, already percent-encoded where a URI needs it (raw ones go through the raw sender). */
    static Map<String, String> pathValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dot dot", "..");
        m.put("dot", ".");
        m.put("encoded dot dot", "%2e%2e");
        m.put("encoded slash", "a%2Fb");
        m.put("encoded backslash", "a%5Cb");
        m.put("NUL", "a%00b");
        m.put("5,000 characters", "x".repeat(5_000));
        m.put("minus one", "-1");
        m.put("20 digits", "99999999999999999999");
        m.put("invalid UTF-8", "%ff%fe");
        m.put("accented", "%C3%A9t%C3%A9");
        m.put("space", "a%20b");
        m.put("percent", "%25");
        m.put("CRLF", "a%0d%0aX-Injected:%201");
        m.put("upper case", "FUZZ");
        m.put("semicolon", "a;b=c");
        m.put("colon", "a:b");
        m.put("unicode line separator", "%E2%80%A8");
        return m;
    }

    /** Raw request targets that java.net.URI refuses: sent byte for byte by the raw sender. */
    static List<String> rawTargets(String path) {
        return List.of(path + "/%zz", path + "/%", path + "/\u00ff", path + "/../../health", path + "/./.", path + "//",
                path + "?%zz=1", path + "?a=%", path + "#frag", "*", path.replace("/v1", "/v1/%2e%2e/v1"),
                path + "/" + "y".repeat(20_000));
    }

    /** Query parameter values. */
    static Map<String, String> queryValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("letters", "abc");
        m.put("minus one", "-1");
        m.put("zero", "0");
        m.put("20 digits", "99999999999999999999");
        m.put("fraction", "1.5");
        m.put("NaN", "NaN");
        m.put("empty", "");
        m.put("NUL", "%00");
        m.put("5,000 characters", "x".repeat(5_000));
        m.put("impossible date", "2026-13-45T99:99:99Z");
        m.put("invalid UTF-8", "%ff");
        m.put("exponent", "1e3");
        m.put("plus", "%2B1");
        return m;
    }

    static final List<String> CONTENT_TYPES = List.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/json; charset=utf-16",
            "garbage", "application/", "*/*");

    static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

    private static void collect(JsonNode node, List<Object> path, List<List<Object>> out) {
        out.add(List.copyOf(path));
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                path.add(f);
                collect(node.get(f), path, out);
                path.removeLast();
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.add(i);
                collect(node.get(i), path, out);
                path.removeLast();
            }
        }
    }

    static String describe(List<Object> place) {
        if (place.isEmpty()) {
            return "body";
        }
        StringBuilder sb = new StringBuilder();
        for (Object step : place) {
            if (step instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(step);
            }
        }
        return sb.toString();
    }

    private static JsonNode at(JsonNode root, List<Object> place) {
        JsonNode n = root;
        for (Object step : place) {
            n = step instanceof Integer i ? n.get(i) : n.get((String) step);
        }
        return n;
    }

    private static byte[] replaced(JsonNode example, List<Object> place, String literal) {
        if (place.isEmpty()) {
            return utf8(literal);
        }
        JsonNode copy = example.deepCopy();
        JsonNode parent = at(copy, place.subList(0, place.size() - 1));
        Object last = place.getLast();
        if (last instanceof Integer i) {
            ((ArrayNode) parent).set(i, TextNode.valueOf(MARK));
        } else {
            ((ObjectNode) parent).set((String) last, TextNode.valueOf(MARK));
        }
        String text = copy.toString();
        String marker = TextNode.valueOf(MARK).toString();
        return utf8(text.replace(marker, literal));
    }

    private static byte[] removed(JsonNode example, List<Object> place) {
        JsonNode copy = example.deepCopy();
        ((ObjectNode) at(copy, place.subList(0, place.size() - 1))).remove((String) place.getLast());
        return utf8(copy.toString());
    }

    private static String withField(JsonNode object, String name, String literal) {
        String text = object.toString();
        return object.isEmpty() ? "{\"" + name + "\":" + literal + "}" : "{\"" + name + "\":" + literal + "," + text.substring(1);
    }

    private static String manyFields(JsonNode object, int n) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append("\"f").append(i).append("\":").append(i).append(',');
        }
        String rest = object.toString();
        return object.isEmpty() ? sb.substring(0, sb.length() - 1) + "}" : sb + rest.substring(1);
    }

    private static String deepInside(JsonNode example) {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        if (example == null || !example.isObject() || example.isEmpty()) {
            return "{\"a\":" + deep + "}";
        }
        String first = example.fieldNames().next();
        return withField(example, first + "_", deep).replace("\"" + first + "_\"", "\"" + first + "\"");
    }

    private static byte[] injectInString(String text, byte[] bad) {
        int quote = text.indexOf('"');
        byte[] head = utf8(quote < 0 ? "\"" : text.substring(0, quote + 1));
        byte[] tail = utf8(quote < 0 ? "\"" : text.substring(quote + 1));
        return concat(head, concat(bad, tail));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
