package dev.lakehouse.chatd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;

/**
 * OpenAI-compatible chat completions ({@code POST …/chat/completions}), as
 * OpenRouter, Moonshot (Kimi) and OpenCode Zen speak it. A stream is Server-Sent
 * Events: {@code data: {chunk}} lines, comment lines ({@code : OPENROUTER PROCESSING})
 * to skip, {@code data: [DONE]} at the end. Usage comes in the last chunk
 * ({@code stream_options.include_usage}), at the top level or — Moonshot — inside
 * the choice. A provider may report an error inside the stream as a chunk with an
 * {@code error} object (OpenRouter does, with {@code finish_reason:"error"}).
 */
record OpenAiProtocol(String name, String path, String streamMediaType) implements Protocol {
    OpenAiProtocol() {
        this("openai", "/chat/completions", "text/event-stream");
    }

    @Override
    public byte[] request(Chat.Call call, String model, boolean stream) {
        ObjectNode body = Json.mapper().createObjectNode().put("model", model);
        Protocol.messages(body, call);
        if (call.temperature() != null) {
            body.put("temperature", call.temperature());
        }
        if (call.maxTokens() != null) {
            body.put("max_tokens", call.maxTokens());
        }
        if (!call.stop().isEmpty()) {
            call.stop().forEach(body.putArray("stop")::add);
        }
        body.put("stream", stream);
        if (stream) {
            body.putObject("stream_options").put("include_usage", true);
        }
        return Json.bytes(body);
    }

    @Override
    public Chat.Reply reply(byte[] body) {
        JsonNode node = Protocol.parse("the answer", body);
        failIfError(node, "answered 200 with an error: ");
        JsonNode choice = node.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new ProviderError(ProviderError.Kind.EMPTY, "answered 200 without choices: " + Protocol.snippet(body));
        }
        String content = choice.path("message").path("content").asText("");
        if (content.isEmpty()) {
            throw new ProviderError(ProviderError.Kind.EMPTY, "answered 200 with empty content (finish_reason "
                    + choice.path("finish_reason").asText("none") + ")");
        }
        String finish = choice.path("finish_reason").asText("");
        return new Chat.Reply(content, finish.isEmpty() ? "stop" : finish, usage(node, choice));
    }

    @Override
    public boolean line(String raw, StreamState state) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.isBlank() || line.startsWith(":") || !line.startsWith("data:")) {
            return false;   // blank separators, comments, and event:/id:/retry: fields carry no content
        }
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
            state.done();
            return true;
        }
        JsonNode chunk = Protocol.parse("a stream chunk", data);
        failIfError(chunk, "reported mid-stream: ");
        JsonNode choice = chunk.path("choices").path(0);
        state.delta(choice.path("delta").path("content").asText(""));
        if (choice.hasNonNull("finish_reason")) {
            state.finish(choice.path("finish_reason").asText());
        }
        state.usage(usage(chunk, choice));
        return true;
    }

    @Override
    public String errorText(byte[] body) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            if (node != null) {
                JsonNode error = node.path("error");
                if (error.isTextual()) {
                    return error.asText();
                }
                if (error.path("message").isTextual()) {
                    return error.path("message").asText();
                }
                if (node.path("message").isTextual()) {
                    return node.path("message").asText();
                }
            }
        } catch (Exception ignored) {
            // not JSON: show the body itself
        }
        return Protocol.snippet(body);
    }

    private static void failIfError(JsonNode node, String prefix) {
        JsonNode error = node.path("error");
        if (error.isMissingNode() || error.isNull()) {
            return;
        }
        String message = error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
        String code = error.path("code").isMissingNode() ? "" : " (code " + error.path("code").asText() + ")";
        throw new ProviderError(ProviderError.Kind.STREAM_ERROR, prefix + message + code);
    }

    private static Chat.Usage usage(JsonNode chunk, JsonNode choice) {
        JsonNode u = chunk.path("usage").isObject() ? chunk.path("usage") : choice.path("usage");
        if (!u.isObject()) {
            return null;
        }
        return Chat.Usage.of(u.path("prompt_tokens").asInt(0), u.path("completion_tokens").asInt(0));
    }
}
