package dev.lakehouse.matrixd.client;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.lakehouse.common.PeerClient;

/**
 * matrixd's view of chatd's {@code POST /v1/chat} (DESIGN.md §3, chatd), for the role
 * extractor's fallback: a short, deterministic question, the answer's text. No retry
 * here (chatd retries its providers); failures come from {@link PeerClient} naming chatd.
 */
public final class ChatdClient {
    public record Message(String role, String content) {
    }

    /** {@code {"messages":[…],"temperature":0,"max_tokens":16}}: chatd's default provider and model. */
    public record ChatRequest(List<Message> messages, double temperature, int maxTokens) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChatResponse(Message message) {
        public String content() {
            return message == null || message.content() == null ? "" : message.content();
        }
    }

    private final PeerClient chatd;

    public ChatdClient(PeerClient chatd) {
        this.chatd = chatd;
    }

    public String ask(String system, String user) {
        return chatd.post("/v1/chat", new ChatRequest(List.of(new Message("system", system), new Message("user", user)), 0, 16),
                ChatResponse.class, false).content();
    }
}
