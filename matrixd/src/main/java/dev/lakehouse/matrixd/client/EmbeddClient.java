package dev.lakehouse.matrixd.client;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
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

    /** Whether embedd is ready now (its model loaded): {@link PeerClient#ready}. */
    public boolean ready() {
        return embedd.ready();
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

    /**
     * One text's vector as embedd wrote it, a JSON array's bytes, for a caller that only passes it on (a retrieve sends
     * it to every corpus's vectord): the numbers are copied as text, never parsed into floats and printed again — which
     * was a fifth of a retrieve's CPU (docs/perf.md).
     */
    public byte[] embedJson(String text) {
        byte[] body = embedd.send(io.helidon.http.Method.POST, "/v1/embed", Json.bytes(new EmbedRequest(List.of(text))), true).body();
        try (JsonParser p = Json.mapper().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!"embeddings".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                if (p.currentToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.START_ARRAY) {
                    throw bad("no embeddings");
                }
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length);
                out.write('[');
                int n = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                        throw bad("an embedding holds " + t);
                    }
                    if (n++ > 0) {
                        out.write(',');
                    }
                    out.writeBytes(p.getText().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                if (n == 0) {
                    throw bad("an empty embedding");
                }
                out.write(']');
                return out.toByteArray();
            }
            throw bad("no embeddings");
        } catch (java.io.IOException e) {
            throw bad("not JSON: " + e.getMessage());
        }
    }

    private static ApiException bad(String what) {
        return new ApiException.UpstreamFailed("embedd", false, "peer_error", "embedd's answer: " + what, null);
    }

        public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }
}
