package dev.lakehouse.chatd;

import java.io.IOException;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;

/**
 * One provider wire protocol: how a chat request is encoded, how a whole answer
 * and a streamed line are read, and where a provider puts its error text.
 * Two exist: {@link OllamaProtocol} (native {@code /api/chat}, NDJSON) and
 * {@link OpenAiProtocol} (chat completions, Server-Sent Events).
 */
sealed interface Protocol permits OllamaProtocol, OpenAiProtocol {

    /** The protocol's name in {@code GET /v1/providers}: ollama or openai. */
    String name();

    /** The path under the provider's base URL. */
    String path();

    /** The media type a streamed answer comes in. */
    String streamMediaType();

    byte[] request(Chat.Call call, String model, boolean stream);

    /** A whole (non-streamed) answer; throws {@link ProviderError} for an empty or malformed one. */
    Chat.Reply reply(byte[] body);

    /**
     * Reads one line of a streamed answer into {@code state}. Returns false for a
     * line that carries nothing (blank, an SSE comment such as OpenRouter's
     * {@code : OPENROUTER PROCESSING}): such lines do not count as progress.
     * Throws {@link ProviderError} for an error the provider reports inside the stream.
     */
    boolean line(String line, StreamState state);

    /** The human text of a provider's error body. */
    String errorText(byte[] body);

    /** What a stream has said so far. */
    final class StreamState {
        private final StringBuilder content = new StringBuilder();
        private final Consumer<String> onDelta;
        private String finishReason;
        private Chat.Usage usage;
        private boolean done;
        private long firstDeltaNanos;

        StreamState(Consumer<String> onDelta) {
            this.onDelta = onDelta;
        }

        void delta(String text) {
            if (text != null && !text.isEmpty()) {
                if (firstDeltaNanos == 0) {
                    firstDeltaNanos = System.nanoTime();
                }
                content.append(text);
                onDelta.accept(text);
            }
        }

        void finish(String reason) {
            if (reason != null) {
                finishReason = reason;
            }
        }

        void usage(Chat.Usage u) {
            if (u != null) {
                usage = u;
            }
        }

        void done() {
            done = true;
        }

        boolean isDone() {
            return done;
        }

        boolean sawDelta() {
            return firstDeltaNanos != 0;
        }

        long firstDeltaNanos() {
            return firstDeltaNanos;
        }

        String finishReason() {
            return finishReason;
        }

        Chat.Reply reply() {
            return new Chat.Reply(content.toString(), finishReason == null ? "stop" : finishReason, usage);
        }

        boolean isEmpty() {
            return content.isEmpty();
        }
    }

    static JsonNode parse(String what, byte[] bytes) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ProviderError(ProviderError.Kind.BAD_RESPONSE, what + " is not JSON: " + snippet(bytes));
        }
    }

    static JsonNode parse(String what, String text) {
        return parse(what, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static ObjectNode messages(ObjectNode body, Chat.Call call) {
        var list = body.putArray("messages");
        for (Chat.Message m : call.messages()) {
            list.addObject().put("role", m.role()).put("content", m.content());
        }
        return body;
    }

    static String snippet(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), java.nio.charset.StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "(empty body)" : s;
    }
}
