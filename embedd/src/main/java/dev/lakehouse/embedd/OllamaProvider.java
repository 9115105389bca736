package dev.lakehouse.embedd;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.PeerClient;
import io.helidon.http.Method;

/**
 * Ollama's native embedding API, called directly:
 * {@code POST {EMBEDD_OLLAMA_URL}/api/embed {"model":"nomic-embed-text","input":["t1","t2"]}}
 * → {@code {"model":…,"embeddings":[[…],[…]],"prompt_eval_count":n}}. Ollama's
 * vectors are L2-normalised. Its errors ({@code {"error":"…"}}) become problems
 * that name Ollama: unknown model → 404 {@code unknown_model}; 400 → 400
 * {@code provider_rejected}; 429/503 → 503 {@code provider_busy}/{@code provider_unavailable};
 * other 5xx → 502 {@code provider_error}; refused → 503 {@code peer_unavailable}; timeout → 504.
 */
final class OllamaProvider implements Provider {
    private final PeerClient client;

    OllamaProvider(URI base, Duration timeout) {
        this.client = new PeerClient("ollama", base,
                new PeerClient.Options(Duration.ofSeconds(2), timeout, 1, Duration.ofMillis(100), 5, Duration.ofSeconds(5)));
    }

    record EmbedRequest(String model, List<String> input) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record EmbedResponse(String model, List<float[]> embeddings) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorBody(String error) {
    }

    @Override
    public String name() {
        return "ollama";
    }

    URI base() {
        return client.base();
    }

    @Override
    public List<float[]> embed(String model, List<String> texts) {
        PeerClient.Response r = client.exchange(Method.POST, "/api/embed", Json.bytes(new EmbedRequest(model, texts)), true);
        if (r.status() >= 400) {
            throw error(model, r);
        }
        EmbedResponse body;
        try {
            body = Json.parse(r.body(), EmbedResponse.class);
        } catch (ApiException e) {
            throw new ApiException.UpstreamFailed("ollama", false, "provider_error",
                    "ollama at " + client.base() + " answered with an unreadable body: " + e.detail(), e);
        }
        if (body.embeddings() == null || body.embeddings().size() != texts.size()) {
            throw new ApiException.UpstreamFailed("ollama", false, "provider_error", "ollama at " + client.base() + " returned "
                    + (body.embeddings() == null ? 0 : body.embeddings().size()) + " vectors for " + texts.size() + " inputs", null);
        }
        return body.embeddings();
    }

    private ApiException error(String model, PeerClient.Response r) {
        String message;
        try {
            message = Json.mapper().readValue(r.body(), ErrorBody.class).error();
        } catch (Exception e) {
            message = null;
        }
        String detail = "ollama at " + client.base() + " answered " + r.status() + (message == null ? "" : ": " + message);
        Map<String, String> retry = r.retryAfter() == null ? Map.of("Retry-After", "1") : Map.of("Retry-After", r.retryAfter());
        return switch (r.status()) {
            case 404 -> new ApiException.NotFound("unknown_model", "model '" + model + "' is not available: " + detail);
            case 400 -> new ApiException.BadRequest("provider_rejected", detail);
            case 429 -> new ApiException.Unavailable("ollama", "provider_busy", detail, retry, null);
            case 503 -> new ApiException.Unavailable("ollama", "provider_unavailable", detail, retry, null);
            default -> r.status() >= 500
                    ? new ApiException.UpstreamFailed("ollama", false, "provider_error", detail, null)
                    : new ApiException.BadRequest(r.status(), "provider_rejected", detail, Map.of());
        };
    }
}
