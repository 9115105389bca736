package dev.lakehouse.chatd;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.FieldError;

/** The JSON shapes of chatd's two APIs, with their validation. */
final class ChatdWire {
    static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private ChatdWire() {
    }

    /** {@code POST /v1/chat}. */
    record ChatRequest(String provider, String model, List<Message> messages, Double temperature, Integer maxTokens,
                       Boolean stream, List<TargetSpec> fallback, List<String> stop) {
        ChatRequest {
            FieldError.required(messages, "messages");
            FieldError.check(!messages.isEmpty(), "messages", "must not be empty");
            checkSampling(temperature, maxTokens, "max_tokens");
            stop = checkStop(stop);
            fallback = fallback == null ? List.of() : fallback;
            for (int i = 0; i < fallback.size(); i++) {
                FieldError.check(fallback.get(i) != null, "fallback[" + i + "]", "must be an object {provider, model}");
            }
        }

        boolean streaming() {
            return Boolean.TRUE.equals(stream);
        }
    }

    record Message(String role, String content) {
        Message {
            FieldError.required(role, "role");
            FieldError.check(ROLES.contains(role), "role", "must be system, user or assistant, not '" + role + "'");
            FieldError.required(content, "content");
        }
    }

    record TargetSpec(String provider, String model) {
    }

    /** {@code POST /v1/chat} answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatResponse(String provider, String model, Message message, String finishReason, Chat.Usage usage,
                        double latencyMs, Double ttftMs, List<Chat.Attempt> attempts) {
    }

    /** The {@code done} event of a streamed {@code /v1/chat}: every field written, null or not, but the usage. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record StreamDone(String provider, String model, String finishReason, @JsonInclude(JsonInclude.Include.NON_NULL) Chat.Usage usage,
                      double latencyMs, Double ttftMs, List<Chat.Attempt> attempts) {
    }

    /**
     * {@code POST /v1/chat/completions} answered whole, as OpenAI answers:
     * {@code {"id":"chatcmpl-…","object":"chat.completion","created":…,"model":"ollama/qwen2.5:7b","choices":[{"index":0,
     * "message":{"role":"assistant","content":"…","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{…}}}.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Chat.Usage usage) {
        static Completion of(String id, long created, Chat.Completion c) {
            return new Completion(id, "chat.completion", created, c.target().id(), List.of(new CompletionChoice(0,
                    new AssistantMessage("assistant", c.content(), null), null, c.finishReason())), c.usage());
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record CompletionChoice(int index, AssistantMessage message, Object logprobs, String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record AssistantMessage(String role, String content, String refusal) {
    }

    /**
     * One chunk of a streamed {@code /v1/chat/completions}:
     * {@code {"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,"delta":{"content":"…"},
     * "logprobs":null,"finish_reason":null}]}}, and the usage chunk ({@code choices} empty, {@code usage}) when asked for.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Chat.Usage usage) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ChunkChoice(int index, Delta delta, Object logprobs, String finishReason) {
    }

    /** What a chunk adds: the role in the first, text in the others, nothing in the last. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {
    }

    /**
     * {@code POST /v1/chat/completions}, OpenAI's request. Fields OpenAI clients send
     * routinely and chatd does not use (top_p, user, seed, penalties…) are ignored;
     * ones whose silent loss would change the answer (tools, functions, n > 1) are refused.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record CompletionRequest(String model, List<CompletionMessage> messages, Double temperature, Integer maxTokens,
                             Integer maxCompletionTokens, Boolean stream, StreamOptions streamOptions, JsonNode tools,
                             JsonNode functions, JsonNode responseFormat, Integer n, JsonNode stop) {
        CompletionRequest {
            FieldError.check(stop == null || stop.isNull() || stop.isTextual() || stop.isArray(), "stop",
                    "must be a string or an array of strings");
            FieldError.required(model, "model");
            FieldError.required(messages, "messages");
            FieldError.check(!messages.isEmpty(), "messages", "must not be empty");
            checkSampling(temperature, maxTokens, "max_tokens");
            checkSampling(null, maxCompletionTokens, "max_completion_tokens");
            FieldError.check(isAbsent(tools), "tools", "tool calling is not supported by chatd");
            FieldError.check(isAbsent(functions), "functions", "function calling is not supported by chatd");
            FieldError.check(isAbsent(responseFormat) || "text".equals(responseFormat.path("type").asText()),
                    "response_format", "only {\"type\":\"text\"} is supported");
            FieldError.check(n == null || n == 1, "n", "only one choice (n = 1) is supported");
        }

        Integer tokens() {
            return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        }

        /** OpenAI's {@code stop}: a string or up to four strings. */
        List<String> stops() {
            if (stop == null || stop.isNull()) {
                return List.of();
            }
            if (stop.isTextual()) {
                return checkStop(List.of(stop.asText()));
            }
            List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < stop.size(); i++) {
                FieldError.check(stop.get(i).isTextual(), "stop[" + i + "]", "must be a string");
                out.add(stop.get(i).asText());
            }
            return checkStop(out);
        }

        boolean streaming() {
            return Boolean.TRUE.equals(stream);
        }

        boolean includeUsage() {
            return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
        }

        private static boolean isAbsent(JsonNode n) {
            return n == null || n.isNull();
        }
    }

    /** An OpenAI message: role system/developer/user/assistant; content a string or text parts. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record CompletionMessage(String role, JsonNode content) {
        CompletionMessage {
            FieldError.required(role, "role");
            FieldError.check(ROLES.contains(role) || role.equals("developer"), "role",
                    "must be system, developer, user or assistant, not '" + role + "'");
            FieldError.required(content, "content");
            FieldError.check(content.isTextual() || content.isArray(), "content", "must be a string or an array of text parts");
            if (content.isArray()) {
                for (int i = 0; i < content.size(); i++) {
                    JsonNode part = content.get(i);
                    FieldError.check(part.path("type").asText().equals("text") && part.path("text").isTextual(),
                            "content[" + i + "]", "only text parts {\"type\":\"text\",\"text\":\"…\"} are supported");
                }
            }
        }

        Chat.Message toMessage() {
            String text;
            if (content.isTextual()) {
                text = content.asText();
            } else {
                StringBuilder sb = new StringBuilder();
                content.forEach(part -> sb.append(part.path("text").asText()));
                text = sb.toString();
            }
            return new Chat.Message(role.equals("developer") ? "system" : role, text);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StreamOptions(Boolean includeUsage) {
    }

    /** At most {@value #MAX_STOPS} stop sequences of 1 to {@value #MAX_STOP_CHARS} characters each (as OpenAI allows). */
    static final int MAX_STOPS = 4;
    static final int MAX_STOP_CHARS = 256;

    private static List<String> checkStop(List<String> stop) {
        if (stop == null) {
            return List.of();
        }
        FieldError.check(stop.size() <= MAX_STOPS, "stop", "at most " + MAX_STOPS + " stop sequences, not " + stop.size());
        for (int i = 0; i < stop.size(); i++) {
            String s = stop.get(i);
            FieldError.check(s != null, "stop[" + i + "]", "must be a string");
            FieldError.check(!s.isEmpty() && s.length() <= MAX_STOP_CHARS, "stop[" + i + "]",
                    "must be 1 to " + MAX_STOP_CHARS + " characters, not " + s.length());
        }
        return List.copyOf(stop);
    }

    private static void checkSampling(Double temperature, Integer maxTokens, String tokensField) {
        FieldError.check(temperature == null || temperature >= 0 && temperature <= 2, "temperature",
                "must be from 0 to 2, not " + temperature);
        FieldError.check(maxTokens == null || maxTokens >= 1 && maxTokens <= 1_000_000, tokensField,
                "must be from 1 to 1000000, not " + maxTokens);
    }

    /** {@code GET /v1/spend}'s parameters; 400 naming the parameter for any it cannot take. */
    record SpendQuery(String key, java.time.Instant from, java.time.Instant to, String groupBy) {
        static final Set<String> GROUPS = Set.of("model", "day", "route", "key");

        /** Defaults: every key, from the start of this month (UTC) to now, by model. */
        static SpendQuery of(io.helidon.common.uri.UriQuery q, java.time.Clock clock) {
            java.time.Instant now = clock.instant();
            String key = q.first("key").orElse(null);
            FieldError.check(key == null || !key.isEmpty() && key.length() <= 128 && key.chars().allMatch(c -> c >= 0x20 && c < 0x7f),
                    "key", "must be a key's name: 1 to 128 printable characters");
            java.time.Instant from = q.first("from").map(v -> instant("from", v))
                    .orElse(dev.lakehouse.common.Budgets.Period.MONTH.start(now));
            java.time.Instant to = q.first("to").map(v -> instant("to", v)).orElse(now.plusSeconds(1));
            FieldError.check(from.isBefore(to), "to", "must be after from (" + from + ")");
            String groupBy = q.first("group_by").orElse("model");
            FieldError.check(GROUPS.contains(groupBy), "group_by", "must be one of model, day, route, key");
            return new SpendQuery(key, from, to, groupBy);
        }

        /** An RFC 3339 time, or a date (its start, UTC). */
        private static java.time.Instant instant(String name, String v) {
            try {
                return v.length() == 10 ? java.time.LocalDate.parse(v).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                        : java.time.OffsetDateTime.parse(v).toInstant();
            } catch (java.time.DateTimeException e) {
                throw new FieldError(name, "invalid_field", "must be an RFC 3339 time (2026-12-07T10:00:00Z) or a date (2026-12-07)");
            }
        }
    }
}
