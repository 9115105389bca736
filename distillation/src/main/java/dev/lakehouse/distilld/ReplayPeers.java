package dev.lakehouse.distilld;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.PeerClient;

/**
 * Replay's peers over HTTP: chatd's {@code POST /v1/chat} (not streamed, never retried: a chat call is not idempotent)
 * and validatord's {@code POST /v1/validate} (retried when transient). Every call carries the replay's request id.
 */
public final class ReplayPeers implements Replay.Peers {
    private final PeerClient chatd;
    private final PeerClient validatord;

    /** @param token the stack's internal token (null when the stack has none) */
    public ReplayPeers(java.net.URI chatd, java.net.URI validatord, Duration chatTimeout, dev.lakehouse.common.InternalToken token) {
        PeerClient.Options base = PeerClient.Options.defaults().withToken(token);
        this.chatd = new PeerClient("chatd", chatd, base.withReadTimeout(chatTimeout));
        this.validatord = new PeerClient("validatord", validatord, base);
    }

    @Override
    public Replay.Answer chat(ArrayNode messages, String provider, String model) {
        ObjectNode body = Json.mapper().createObjectNode().put("stream", false);
        if (provider != null) {
            body.put("provider", provider);
        }
        if (model != null) {
            body.put("model", model);
        }
        body.set("messages", messages);
        JsonNode a = chatd.post("/v1/chat", body, JsonNode.class, false);
        return new Replay.Answer(a.path("message").path("content").asText(null), a.path("provider").asText(null),
                a.path("model").asText(null));
    }

    @Override
    public Replay.Verdict validate(String kind, JsonNode artifact) {
        ObjectNode body = Json.mapper().createObjectNode().put("kind", kind);
        body.set(kind, artifact);
        JsonNode v = validatord.post("/v1/validate", body, JsonNode.class, true);
        return new Replay.Verdict(v.path("valid").asBoolean(), v.path("violations"));
    }
}
