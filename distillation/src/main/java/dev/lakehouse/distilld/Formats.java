package dev.lakehouse.distilld;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;

/**
 * What an SFT sample of each class must look like (the invariant {@code sft_templates_parse}): a conversation that ends
 * with the assistant, every message a known role with text, and the answer in its class's format — the verdict JSON of
 * a validation, the artifact JSON of a fill or an e-mail (as validatord's iterate loop parses it), the passages and
 * question of a retrieval, the recall line of a playbook, the value, source and rule of a claim. Checked apart from
 * {@link Templates}, which makes them.
 */
final class Formats {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private Formats() {
    }

    /** What is wrong with a sample of {@code cls}, or null when nothing is. */
    static String problem(String cls, JsonNode messages) {
        if (!messages.isArray() || messages.size() < 2) {
            return "fewer than two messages";
        }
        boolean user = false;
        for (JsonNode m : messages) {
            if (!ROLES.contains(m.path("role").asText()) || !m.path("content").isTextual() || m.path("content").asText().isBlank()) {
                return "a message without a known role and text: " + abbreviate(m.toString());
            }
            user |= m.path("role").asText().equals("user");
        }
        JsonNode last = messages.get(messages.size() - 1);
        if (!last.path("role").asText().equals("assistant") || !user) {
            return "does not end with the assistant answering a user";
        }
        String answer = last.path("content").asText();
        String prompt = messages.get(messages.size() - 2).path("content").asText();
        Scored.SourceClass c = null;
        for (Scored.SourceClass k : Scored.SourceClass.values()) {
            c = k.toString().equals(cls) ? k : c;
        }
        if (c == null) {
            return "class '" + abbreviate(cls) + "' is not one of the eight";
        }
        return switch (c) {
            case CHAT_ANSWER -> null;
            case FILL_VALIDATION, EMAIL_VALIDATION -> {
                JsonNode v = object(answer);
                yield v == null || !v.path("valid").isBoolean() || !v.path("violations").isArray() ? "the answer is not {valid, violations}"
                        : object(prompt) == null ? "the artifact is not a JSON object" : null;
            }
            case FILL_GENERATION -> {
                JsonNode a = firstObject(answer);
                yield a == null || !a.path("worker_ids").isArray() ? "the answer has no JSON object with worker_ids" : null;
            }
            case EMAIL_DRAFTING -> {
                JsonNode a = firstObject(answer);
                yield a == null || !a.path("subject").isTextual() || !a.path("body").isTextual()
                        ? "the answer has no JSON object with subject and body" : null;
            }
            case RETRIEVAL_ANSWER -> prompt.startsWith("Passages:\n") && prompt.contains("\nQuestion: ") ? null
                    : "the question is not passages and a question";
            case PLAYBOOK_RECALL -> answer.startsWith("Workers: ") && answer.contains(". Outcome: ") && answer.endsWith(".") ? null
                    : "the answer is not 'Workers: …. Outcome: ….'";
            case CLAIM_RECONCILIATION -> answer.contains(" (from ") && answer.contains("; rule: ") && answer.endsWith(")") ? null
                    : "the answer is not 'value (from source; rule: …)'";
        };
    }

    private static JsonNode object(String text) {
        try {
            JsonNode n = Json.mapper().readTree(text);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The first JSON object of a text, from its first '{' to its last '}' (validatord's rule for a model's output). */
    private static JsonNode firstObject(String text) {
        int start = text.indexOf('{');
        int end = text.lastIndexOf('}');
        return start < 0 || end <= start ? null : object(text.substring(start, end + 1));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
