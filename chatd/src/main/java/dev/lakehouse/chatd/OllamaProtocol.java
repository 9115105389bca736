package dev.lakehouse.chatd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;

/**
 * Ollama's native {@code POST /api/chat}: {@code {"model","messages","stream","options":{"temperature","num_predict","stop"}}}.
 * A whole answer is one object with {@code message}, {@code done_reason},
 * {@code prompt_eval_count} and {@code eval_count}; a stream is NDJSON, one such
 * object per line, the last with {@code "done":true}. Errors are {@code {"error":"…"}},
 * as the body of a 4xx/5xx or as a line inside a 200 stream.
 */
record OllamaProtocol(String name, String path, String streamMediaType) implements Protocol {
    OllamaProtocol() {
        this("ollama", "/api/chat", "application/x-ndjson");
    }

    @Override
    public byte[] request(Chat.Call call, String model, boolean stream) {
        ObjectNode body = Json.mapper().createObjectNode().put("model", model);
        Protocol.messages(body, call);
        body.put("stream", stream);
        if (call.temperature() != null || call.maxTokens() != null || !call.stop().isEmpty()) {
            ObjectNode options = body.putObject("options");
            if (call.temperature() != null) {
                options.put("temperature", call.temperature());
            }
            if (call.maxTokens() != null) {
                options.put("num_predict", call.maxTokens());
            }
            if (!call.stop().isEmpty()) {
                call.stop().forEach(options.putArray("stop")::add);
            }
        }
        return Json.bytes(body);
    }

    @Override
    public Chat.Reply reply(byte[] body) {
        JsonNode node = Protocol.parse("ollama's answer", body);
        if (node.hasNonNull("error")) {
            throw new ProviderError(ProviderError.Kind.STREAM_ERROR, "ollama: " + node.path("error").asText());
        }
        JsonNode content = node.path("message").path("content");
        if (!content.isTextual()) {
            throw new ProviderError(ProviderError.Kind.EMPTY, "ollama answered 200 without message.content: "
                    + Protocol.snippet(body));
        }
        if (content.asText().isEmpty()) {
            throw new ProviderError(ProviderError.Kind.EMPTY, "ollama answered 200 with empty content");
        }
        return new Chat.Reply(content.asText(), finish(node), usage(node));
    }

    @Override
    public boolean line(String line, StreamState state) {
        if (line.isBlank()) {
            return false;
        }
        JsonNode node = Protocol.parse("ollama's stream line", line);
        if (node.hasNonNull("error")) {
            throw new ProviderError(ProviderError.Kind.STREAM_ERROR, "ollama reported mid-stream: " + node.path("error").asText());
        }
        state.delta(node.path("message").path("content").asText(""));
        if (node.path("done").asBoolean(false)) {
            state.finish(finish(node));
            state.usage(usage(node));
            state.done();
        }
        return true;
    }

    @Override
    public String errorText(byte[] body) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            if (node != null && node.path("error").isTextual()) {
                return node.path("error").asText();
            }
        } catch (Exception ignored) {
            // not Ollama's error shape: show the body itself
        }
        return Protocol.snippet(body);
    }

    private static String finish(JsonNode node) {
        String reason = node.path("done_reason").asText("");
        return reason.isEmpty() ? "stop" : reason;
    }

    private static Chat.Usage usage(JsonNode node) {
        if (!node.has("prompt_eval_count") && !node.has("eval_count")) {
            return null;
        }
        return Chat.Usage.of(node.path("prompt_eval_count").asInt(0), node.path("eval_count").asInt(0));
    }
}
