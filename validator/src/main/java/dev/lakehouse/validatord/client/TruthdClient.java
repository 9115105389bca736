package dev.lakehouse.validatord.client;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.PeerClient;

/**
 * validatord's view of truthd's {@code POST /v1/truth/resolve} (docs/truthd.md): the fields
 * it asks about for a set of subjects, by one strategy, and the part of each answer it reads.
 * Failures come from {@link PeerClient} as {@code ApiException}s naming truthd; the caller
 * treats every one as "no answer" (the check is skipped, never the validation failed).
 */
public final class TruthdClient {
    /** {@code {"subjects":["worker:W000010"],"fields":["status","phone"],"strategy":"ranked"}}. */
    public record ResolveRequest(List<String> subjects, List<String> fields, String strategy) {
    }

    /** What validatord reads of a winning claim. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Claim(String claimId, String source, java.time.Instant observedAt, String rank) {
    }

    /** What validatord reads of one field's answer. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Resolution(JsonNode value, String normalized, Claim claim) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResolveResponse(Map<String, Map<String, Resolution>> subjects) {
    }

    private final PeerClient truthd;

    public TruthdClient(PeerClient truthd) {
        this.truthd = truthd;
    }

    public ResolveResponse resolve(List<String> subjects, List<String> fields, String strategy) {
        return truthd.post("/v1/truth/resolve", new ResolveRequest(subjects, fields, strategy), ResolveResponse.class, true);
    }
}
