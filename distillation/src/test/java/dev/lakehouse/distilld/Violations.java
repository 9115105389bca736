package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;

/**
 * A violation fixture (distillation/fixtures/violations/&lt;invariant&gt;.json) applied to a run directory:
 * {@code {"invariant","why","edits":[{"file","op",…}]}}. A line is picked by {@code "line"} (from 1; -1 the last) or by
 * {@code "match":{"pointer","equals"}} (the first line whose value there equals it); {@code summary.json} is one
 * document. Ops: {@code set} (pointer, value), {@code add} (pointer, by), {@code copy} (from, pointer) on a line;
 * {@code delete} and {@code duplicate} (appended at the end) a line; {@code append} a raw line; {@code write} a file.
 */
final class Violations {
    private Violations() {
    }

    static JsonNode load(Path fixture) throws IOException {
        return Json.mapper().readTree(Files.readAllBytes(fixture));
    }

    static void apply(JsonNode fixture, Path run) throws IOException {
        for (JsonNode edit : fixture.path("edits")) {
            Path file = run.resolve(edit.path("file").asText());
            String op = edit.path("op").asText();
            if (op.equals("write")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, edit.path("text").asText());
                continue;
            }
            if (op.equals("append")) {
                Files.writeString(file, edit.path("text").asText() + "\n", java.nio.file.StandardOpenOption.APPEND);
                continue;
            }
            if (file.getFileName().toString().equals("summary.json")) {
                JsonNode doc = Json.mapper().readTree(Files.readAllBytes(file));
                Files.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(edited(doc, edit)));
                continue;
            }
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            int at = pick(lines, edit);
            switch (op) {
                case "delete" -> lines.remove(at);
                case "duplicate" -> lines.add(lines.get(at));
                default -> lines.set(at, Json.mapper().writeValueAsString(edited(Json.mapper().readTree(lines.get(at)), edit)));
            }
            Files.write(file, (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static int pick(List<String> lines, JsonNode edit) throws IOException {
        if (edit.has("match")) {
            JsonPointer p = JsonPointer.compile(edit.path("match").path("pointer").asText());
            for (int i = 0; i < lines.size(); i++) {
                if (Json.mapper().readTree(lines.get(i)).at(p).equals(edit.path("match").path("equals"))) {
                    return i;
                }
            }
            throw new IllegalStateException("no line matches " + edit.path("match"));
        }
        int n = edit.path("line").asInt();
        return n < 0 ? lines.size() + n : n - 1;
    }

    private static JsonNode edited(JsonNode doc, JsonNode edit) {
        JsonPointer p = JsonPointer.compile(edit.path("pointer").asText());
        JsonNode parent = doc.at(p.head());
        String last = p.last().getMatchingProperty();
        JsonNode value = switch (edit.path("op").asText()) {
            case "set" -> edit.path("value");
            case "add" -> Json.mapper().getNodeFactory().numberNode(doc.at(p).asLong() + edit.path("by").asLong());
            case "copy" -> doc.at(JsonPointer.compile(edit.path("from").asText()));
            default -> throw new IllegalArgumentException("no op " + edit.path("op"));
        };
        if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
        return doc;
    }
}
