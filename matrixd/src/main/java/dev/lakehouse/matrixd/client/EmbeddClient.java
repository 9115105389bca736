package dev.lakehouse.matrixd.client;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.PeerClient;

/**
 * matrixd's view of embedd's {@code POST /v1/embed} (DESIGN.md §3, embedd): one text
 * in, one vector out, with embedd's default model. embedd's 4xx (a text it cannot
 * embed) comes back as the caller's 400; embedd down is a 503 naming it.
 */
public final class EmbeddClient {
    /** {@code {"input":["t1","t2"]}}. */
    public record EmbedRequest(List<String> input) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EmbedResponse(String model, int dims, List<float[]> embeddings) {
    }

    private final PeerClient embedd;

    public EmbeddClient(PeerClient embedd) {
        this.embedd = embedd;
    }

    /** Several texts in one call (embedd batches its misses upstream); the vectors in their order. */
    public List<float[]> embedAll(List<String> texts) {
        EmbedResponse r = embedd.post("/v1/embed", new EmbedRequest(texts), EmbedResponse.class, true);
        if (r.embeddings() == null || r.embeddings().size() != texts.size()) {
            throw new ApiException.UpstreamFailed("embedd", false, "peer_error", "embedd answered "
                    + (r.embeddings() == null ? "no" : r.embeddings().size()) + " embeddings for " + texts.size() + " texts", null);
        }
        return r.embeddings();
    }

    public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }
}
