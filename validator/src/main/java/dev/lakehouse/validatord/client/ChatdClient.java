package dev.lakehouse.validatord.client;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.lakehouse.common.PeerClient;

/**
 * validatord's view of chatd's {@code POST /v1/chat} (DESIGN.md §3, chatd): the
 * request it sends and the part of the answer it reads, as records. Failures come
 * from {@link PeerClient} as {@code ApiException}s naming chatd (503 unreachable,
 * 504 timed out, chatd's own problem otherwise). No retry here: a generation is not
 * idempotent, and chatd retries its providers itself.
 */
public final class ChatdClient {
    /** One message: {@code {"role":"system|user|assistant","content":"…"}}. */
    public record Message(String role, String content) {
        public static Message system(String content) {
            return new Message("system", content);
        }

        public static Message user(String content) {
            return new Message("user", content);
        }

        public static Message assistant(String content) {
            return new Message("assistant", content);
        }
    }

    /** {@code {"provider":"ollama","model":"qwen2.5:7b","messages":[…],"temperature":0.2}}; provider and model optional. */
    public record ChatRequest(String provider, String model, List<Message> messages, double temperature) {
    }

    /** What validatord reads of chatd's answer: {@code {"provider","model","message":{"role","content"}}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChatResponse(String provider, String model, Message message) {
        /** The generated text; empty when chatd answered without content. */
        public String content() {
            return message == null || message.content() == null ? "" : message.content();
        }
    }

    private final PeerClient chatd;

    public ChatdClient(PeerClient chatd) {
        this.chatd = chatd;
    }

    public ChatResponse chat(ChatRequest request) {
        return chatd.post("/v1/chat", request, ChatResponse.class, false);
    }
}
