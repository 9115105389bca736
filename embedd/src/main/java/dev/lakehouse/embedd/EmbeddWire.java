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
            checkEmbeddable(input.asText(), "input");
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
            checkEmbeddable(item.asText(), "input[" + i + "]");
            out.add(item.asText());
        }
        return out;
    }

    /**
     * A text a model can embed: not empty, no unpaired surrogate (not text at all), and at
     * least one letter, digit, punctuation mark or symbol — whitespace, control and format
     * characters or lone combining marks tokenize to nothing, and a model cannot embed nothing.
     * One pass over the text.
     */
    static void checkEmbeddable(String text, String field) {
        FieldError.check(!text.isEmpty(), field, "is empty");
        boolean content = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                content |= hasContent(text.codePointAt(i));
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new FieldError(field, "invalid_field", "has an unpaired surrogate (\\u"
                        + Integer.toHexString(c) + ") at character " + i + ": not text");
            } else {
                content |= hasContent(c);
            }
        }
        FieldError.check(content, field, "has nothing to embed: only whitespace, control or format characters");
    }

    private static boolean hasContent(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
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
