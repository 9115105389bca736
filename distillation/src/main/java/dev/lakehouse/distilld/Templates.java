package dev.lakehouse.distilld;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.distillation.CanonicalJson;

/**
 * One SFT template per source class (docs/distilld.md has an example of each): the conversation a
 * scored record teaches, as chat messages, or null when the record holds none (a chat call
 * without messages, say). Pure functions of the record.
 */
final class Templates {
    static final String VALIDATOR_SYSTEM = "You check a staffing agency's %s against its rules and the worker roster. Answer with "
            + "only a JSON object {\"valid\": true|false, \"violations\": [{\"rule\", \"severity\", \"path\", \"message\"}]}.";
    static final String RETRIEVAL_SYSTEM = "Answer the question from the numbered passages; say which passages you used.";
    static final String PLAYBOOK_SYSTEM = "Recall how the agency staffed an order like this one: which workers, and how it went.";
    static final String TRUTH_SYSTEM = "Several sources make claims about one field of a subject. Say which value to believe and why.";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Templates() {
    }

    static ArrayNode messages(Scored s) {
        JsonNode c = s.evidence().content();
        return switch (s.sourceClass()) {
            case CHAT_ANSWER -> withAnswer(c.path("messages"), c.path("output").asText(null));
            case FILL_GENERATION, EMAIL_DRAFTING -> {
                JsonNode attempts = c.path("attempts");
                JsonNode prompt = attempts.path(0).path("prompt");
                JsonNode last = attempts.path(attempts.size() - 1);
                yield prompt.size() < 2 ? null : withAnswer(first(prompt, 2), last.path("output").asText(null));
            }
            case FILL_VALIDATION, EMAIL_VALIDATION -> {
                if (!c.path("artifact").isObject() || !c.path("valid").isBoolean()) {
                    yield null;   // nothing was validated: no verdict to learn
                }
                ObjectNode verdict = NODES.objectNode().put("valid", c.path("valid").asBoolean());
                verdict.set("violations", c.path("violations").isArray() ? c.path("violations") : NODES.arrayNode());
                ArrayNode m = NODES.arrayNode();
                m.addObject().put("role", "system").put("content", VALIDATOR_SYSTEM.formatted(
                        s.sourceClass() == Scored.SourceClass.FILL_VALIDATION ? "proposed fill (workers for an order)" : "e-mail to a worker"));
                m.addObject().put("role", "user").put("content", json(c.path("artifact")));
                m.addObject().put("role", "assistant").put("content", json(verdict));
                yield m;
            }
            case RETRIEVAL_ANSWER -> {
                StringBuilder passages = new StringBuilder();
                int n = 0;
                for (JsonNode h : c.path("hits")) {
                    passages.append('[').append(++n).append("] ").append(h.path("text").asText(h.path("doc_id").asText(""))).append('\n');
                }
                ArrayNode m = NODES.arrayNode();
                m.addObject().put("role", "system").put("content", RETRIEVAL_SYSTEM);
                m.addObject().put("role", "user").put("content", "Passages:\n" + passages + "\nQuestion: " + c.path("query").asText());
                m.addObject().put("role", "assistant").put("content", c.path("answer").path("output").asText(""));
                yield m;
            }
            case CLAIM_RECONCILIATION -> {
                StringBuilder claims = new StringBuilder();
                for (JsonNode cl : c.path("claims")) {
                    claims.append("- ").append(cl.path("source").asText()).append(" (").append(cl.path("rank").asText("normal"))
                            .append(", observed ").append(cl.path("observed_at").asText("?")).append("): ").append(json(cl.path("value")))
                            .append('\n');
                }
                ArrayNode m = NODES.arrayNode();
                m.addObject().put("role", "system").put("content", TRUTH_SYSTEM);
                m.addObject().put("role", "user").put("content", c.path("subject").asText() + " " + c.path("field").asText() + ":\n"
                        + claims);
                m.addObject().put("role", "assistant").put("content", json(c.path("value")) + " (from " + c.path("source").asText()
                        + "; rule: " + c.path("rule").asText() + ")");
                yield m;
            }
            case PLAYBOOK_RECALL -> {
                JsonNode pb = c.path("playbook");
                List<String> workers = new ArrayList<>();
                pb.path("workers").forEach(w -> workers.add(w.asText()));
                ArrayNode m = NODES.arrayNode();
                m.addObject().put("role", "system").put("content", PLAYBOOK_SYSTEM);
                m.addObject().put("role", "user").put("content", "Role: " + c.path("role").asText() + "\nOrder: " + json(pb.path("order")));
                m.addObject().put("role", "assistant").put("content", "Workers: " + String.join(", ", workers) + ". Outcome: "
                        + pb.path("outcome").asText() + ".");
                yield m;
            }
        };
    }

    private static final java.util.Set<String> ROLES = java.util.Set.of("system", "user", "assistant");

    /** The first {@code n} messages as role and content; empty when one of them is not a known role with text (no sample). */
    private static ArrayNode first(JsonNode messages, int n) {
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < n && i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!ROLES.contains(m.path("role").asText()) || !m.path("content").isTextual() || m.path("content").asText().isBlank()) {
                return NODES.arrayNode();
            }
            out.add(NODES.objectNode().put("role", m.path("role").asText()).put("content", m.path("content").asText()));
        }
        return out;
    }

    private static ArrayNode withAnswer(JsonNode messages, String answer) {
        if (!messages.isArray() || messages.isEmpty() || answer == null || answer.isBlank()) {
            return null;
        }
        ArrayNode out = first(messages, messages.size());
        if (out.isEmpty()) {
            return null;
        }
        out.addObject().put("role", "assistant").put("content", answer);
        return out;
    }

    static String json(JsonNode node) {
        return CanonicalJson.utf8(CanonicalJson.bytes(node));
    }

    /** The prompt of an iterate run (its first system and user messages) and each attempt's output and validity. */
    record Attempts(ArrayNode prompt, List<JsonNode> attempts) {
        static Attempts of(JsonNode content) {
            List<JsonNode> list = new ArrayList<>();
            content.path("attempts").forEach(list::add);
            return new Attempts(first(content.path("attempts").path(0).path("prompt"), 2), list);
        }
    }
}
