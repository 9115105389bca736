package dev.lakehouse.embedd;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.lakehouse.common.FieldError;

/** embedd's wire records; each is documented with its JSON form. */
final class EmbeddWire {
    private EmbeddWire() {
    }

    /** {@code {"model":"all-minilm-l6-v2","input":"text" | ["t1","t2"]}}; {@code model} optional. */
    record EmbedRequest(String model, JsonNode input) {
        EmbedRequest {
            FieldError.check(model == null || !model.isBlank(), "model", "must not be blank");
        }

        List<String> inputs() {
            return texts(input);
        }
    }

    /** {@code {"model":…,"provider":"local|ollama","dims":384,"embeddings":[[…]],"cache_hits":1}}. */
    record EmbedResponse(String model, String provider, int dims, List<RawValue> embeddings, int cacheHits) {
    }

    /**
     * OpenAI's {@code POST /v1/embeddings} request: {@code {"input":…,"model":…,"encoding_format":"float|base64",
     * "dimensions":384,"user":"…"}}. Fields OpenAI may add later are ignored, as OpenAI SDKs expect.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OpenAiRequest(JsonNode input, String model, String encodingFormat, Integer dimensions, String user) {
        OpenAiRequest {
            FieldError.check(encodingFormat == null || encodingFormat.equals("float") || encodingFormat.equals("base64"),
                    "encoding_format", "must be 'float' or 'base64', got '" + encodingFormat + "'");
            FieldError.check(dimensions == null || dimensions > 0, "dimensions", "must be positive");
            FieldError.check(model == null || !model.isBlank(), "model", "must not be blank");
        }

        List<String> inputs() {
            return texts(input);
        }
    }

    /** {@code {"object":"list","data":[{"object":"embedding","index":0,"embedding":[…]}],"model":…,"usage":{…}}}. */
    record OpenAiResponse(String object, List<OpenAiEmbedding> data, String model, Usage usage) {
    }

    /** {@code embedding} is a JSON array of floats, or a base64 string of little-endian float32s. */
    record OpenAiEmbedding(String object, int index, Object embedding) {
    }

    /** Token counts are an estimate: one token per 4 characters, rounded up, per input. */
    record Usage(int promptTokens, int totalTokens) {
    }

    /** {@code GET /v1/models}: {@code {"object":"list","data":[{"id":…,"object":"model","created":0,"owned_by":"local","dims":384}]}}. */
    record ModelList(String object, List<ModelInfo> data) {
    }

    record ModelInfo(String id, String object, long created, String ownedBy, Integer dims) {
    }

    /** {@code "text"} or {@code ["t1","t2"]}: every item a non-empty string. */
    static List<String> texts(JsonNode input) {
        if (input == null || input.isNull()) {
            throw new FieldError("input", "missing_field", "is required: a string or an array of strings");
        }
        if (input.isTextual()) {
            FieldError.embeddable(input.asText(), "input");
            return List.of(input.asText());
        }
        if (!input.isArray()) {
            throw new FieldError("input", "invalid_field", "must be a string or an array of strings, got " + kind(input));
        }
        FieldError.check(!input.isEmpty(), "input", "must not be an empty array");
        List<String> out = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (!item.isTextual()) {
                throw new FieldError("input[" + i + "]", "invalid_field", "must be a string, got " + kind(item)
                        + (item.isArray() || item.isNumber() ? " (token arrays are not supported)" : ""));
            }
            FieldError.embeddable(item.asText(), "input[" + i + "]");
            out.add(item.asText());
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "null";
        };
    }
}
