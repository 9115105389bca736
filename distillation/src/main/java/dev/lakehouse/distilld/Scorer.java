package dev.lakehouse.distilld;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Stage 2: a category, reasons and a source class for each evidence record (docs/distilld.md,
 * "score"). A pure function of the record and the flagged providers, so records can be scored on
 * any number of threads with the same result.
 *
 * <ul>
 *   <li>{@code pii} (never SFT) when any text or number of the record holds an SSN (the privacy library's detector,
 *       docs/privacy.md), or validatord found an SSN or another worker's contact in its final output; phone numbers and
 *       e-mail addresses do not make a record never-SFT: its samples carry placeholders instead ({@link Exporter});</li>
 *   <li>{@code flagged} (never SFT) when its provider is in {@code DISTILLD_FLAGGED_PROVIDERS};</li>
 *   <li>chat: {@code accepted} when answered, {@code failed} (never SFT) when the call failed or the answer was cut
 *       ({@code finish_reason: length});</li>
 *   <li>iterate: {@code accepted} when the first attempt was valid, {@code corrected} when a later one was,
 *       {@code failed} (never SFT) when none was;</li>
 *   <li>validation: {@code accepted} when valid, {@code rejected} when not (an explanation sample either way:
 *       the artifact is the input, the verdict the output);</li>
 *   <li>retrieval: {@code accepted} when a chat call answered from it, {@code failed} (never SFT) otherwise;</li>
 *   <li>truth resolution: {@code accepted};</li>
 *   <li>playbook: {@code accepted} when it names its workers, {@code failed} (never SFT) otherwise.</li>
 * </ul>
 */
final class Scorer {
    /** The violation rules of validatord that mean a final output holds personal data it must not. */
    static final List<String> PII_RULES = List.of("ssn", "other_worker_contact");

    private final Set<String> flaggedProviders;
    private final Privacy privacy;

    Scorer(Set<String> flaggedProviders, Privacy privacy) {
        this.flaggedProviders = Set.copyOf(flaggedProviders);
        this.privacy = privacy;
    }

    public Scored score(Evidence e) {
        JsonNode c = e.content();
        List<String> reasons = new ArrayList<>();
        Scored.SourceClass cls = sourceClass(e);
        if (privacy.holds(c, dev.lakehouse.privacy.PiiType.SSN)) {
            reasons.add("ssn_like_number");
        }
        for (JsonNode v : finalViolations(e)) {
            if (PII_RULES.contains(v.path("rule").asText())) {
                reasons.add("validator:" + v.path("rule").asText());
            }
        }
        if (!reasons.isEmpty()) {
            return new Scored(e, Scored.Category.PII, cls, List.copyOf(reasons), true);
        }
        String provider = provider(e);
        if (provider != null && flaggedProviders.contains(provider)) {
            return new Scored(e, Scored.Category.FLAGGED, cls, List.of("flagged_provider:" + provider), true);
        }
        return switch (e.type()) {
            case CHAT -> !answered(c) ? new Scored(e, Scored.Category.FAILED, cls, List.of("call_failed"), true)
                    : truncated(c) ? new Scored(e, Scored.Category.FAILED, cls, List.of("truncated"), true)
                    : new Scored(e, Scored.Category.ACCEPTED, cls, List.of("answered"), false);
            case ITERATE -> {
                int attempts = c.path("attempts").size();
                if (!c.path("valid").asBoolean()) {
                    yield new Scored(e, Scored.Category.FAILED, cls, List.of("no_valid_attempt_of_" + attempts), true);
                }
                yield attempts == 1 ? new Scored(e, Scored.Category.ACCEPTED, cls, List.of("valid_first_time"), false)
                        : new Scored(e, Scored.Category.CORRECTED, cls, List.of("valid_after_" + (attempts - 1) + "_corrections"), false);
            }
            case VALIDATION -> c.path("valid").asBoolean()
                    ? new Scored(e, Scored.Category.ACCEPTED, cls, List.of("valid"), false)
                    : new Scored(e, Scored.Category.REJECTED, cls, List.of("invalid"), false);
            case RETRIEVAL -> !c.path("answer").isObject() || !answered(c.path("answer"))
                    ? new Scored(e, Scored.Category.FAILED, cls, List.of("no_answer"), true)
                    : truncated(c.path("answer")) ? new Scored(e, Scored.Category.FAILED, cls, List.of("truncated"), true)
                    : new Scored(e, Scored.Category.ACCEPTED, cls, List.of("answered_from_retrieval"), false);
            case TRUTH -> new Scored(e, Scored.Category.ACCEPTED, cls, List.of("resolved"), false);
            case PLAYBOOK -> c.path("playbook").path("workers").isArray() && !c.path("playbook").path("workers").isEmpty()
                    ? new Scored(e, Scored.Category.ACCEPTED, cls, List.of("outcome:" + c.path("playbook").path("outcome").asText("?")), false)
                    : new Scored(e, Scored.Category.FAILED, cls, List.of("no_workers"), true);
        };
    }

    static boolean answered(JsonNode chat) {
        return chat.path("error").isMissingNode() && chat.path("output").isTextual() && !chat.path("output").asText().isBlank()
                && chat.path("status").asInt(200) < 400;
    }

    /** An answer the provider cut at its token limit: not an answer to learn from. */
    static boolean truncated(JsonNode chat) {
        return "length".equals(chat.path("finish_reason").asText());
    }

    static Scored.SourceClass sourceClass(Evidence e) {
        JsonNode c = e.content();
        return switch (e.type()) {
            case CHAT -> Scored.SourceClass.CHAT_ANSWER;
            case ITERATE -> "email".equals(c.path("kind").asText()) ? Scored.SourceClass.EMAIL_DRAFTING : Scored.SourceClass.FILL_GENERATION;
            case VALIDATION -> "email".equals(c.path("kind").asText()) ? Scored.SourceClass.EMAIL_VALIDATION
                    : Scored.SourceClass.FILL_VALIDATION;
            case RETRIEVAL -> Scored.SourceClass.RETRIEVAL_ANSWER;
            case TRUTH -> Scored.SourceClass.CLAIM_RECONCILIATION;
            case PLAYBOOK -> Scored.SourceClass.PLAYBOOK_RECALL;
        };
    }

    /** The violations of the output that would be learned from: the last attempt's, or a validation's. */
    private static JsonNode finalViolations(Evidence e) {
        JsonNode c = e.content();
        return switch (e.type()) {
            case ITERATE -> c.path("attempts").path(c.path("attempts").size() - 1).path("violations");
            case VALIDATION -> c.path("violations");
            default -> com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        };
    }

    private static String provider(Evidence e) {
        JsonNode c = e.content();
        JsonNode p = e.type() == Evidence.Type.RETRIEVAL ? c.path("answer").path("provider") : c.path("provider");
        return p.isTextual() ? p.asText() : null;
    }
}
