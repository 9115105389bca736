package dev.lakehouse.validator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.PeerClient;

/**
 * {@code POST /v1/iterate}: generate → validate → correct. Asks chatd for the
 * artifact (a fill's worker ids, or an e-mail's subject and body, as JSON), parses
 * it (unparseable output is itself a violation), validates it, and while it is
 * invalid sends the violations back as a correction and asks again, up to
 * {@code max_attempts}. Every attempt is recorded ({@code iterate.attempt}, with
 * the prompt, the output and its violations, under one {@code iteration_id}):
 * failed-then-corrected pairs are the preference data of the distillation pipeline.
 */
final class IterateLoop {
    static final String FILL_SYSTEM = "You staff orders for a staffing agency. Answer with only a JSON object "
            + "{\"worker_ids\": [\"W000123\", ...]}: worker ids are W and six digits, chosen from the workers in the context "
            + "(active, of a compatible role, within the order's radius), no more than the order's headcount. No prose.";
    static final String EMAIL_SYSTEM = "You write e-mails from a staffing agency to one worker. Answer with only a JSON "
            + "object {\"subject\": \"...\", \"body\": \"...\"}. Greet the worker by their first name. Never include "
            + "social security numbers, pay or salary figures, or other workers' phone numbers or e-mail addresses. No prose.";

    private final Validation validation;
    private final PeerClient chatd;
    private final Observer observer;

    IterateLoop(Validation validation, PeerClient chatd, Observer observer) {
        this.validation = validation;
        this.chatd = chatd;
        this.observer = observer;
    }

    ObjectNode run(Wire.IterateRequest req) {
        boolean fill = req.kind().equals("fill");
        JsonNode context = req.context() == null ? Json.mapper().createObjectNode() : req.context();
        Wire.Order order = fill ? order(context) : null;
        String to = fill ? null : recipient(context);
        String iteration = UUID.randomUUID().toString();
        List<Map<String, String>> messages = new ArrayList<>();
        messages.add(Map.of("role", "system", "content", fill ? FILL_SYSTEM : EMAIL_SYSTEM));
        messages.add(Map.of("role", "user", "content", req.instruction() + "\n\nContext:\n" + context));
        List<Wire.Attempt> attempts = new ArrayList<>();
        Object artifact = null;
        boolean valid = false;
        String provider = null;
        String model = null;
        for (int n = 1; n <= req.maxAttempts() && !valid; n++) {
            JsonNode answer = chat(req, messages);
            provider = answer.path("provider").asText(null);
            model = answer.path("model").asText(null);
            String output = answer.path("message").path("content").asText("");
            List<Violation> violations;
            try {
                artifact = fill ? parseFill(output, order) : parseEmail(output, to);
                Validation.Result r = validation.check(req.kind(), artifact);
                violations = r.violations();
                valid = r.valid();
            } catch (Unparseable e) {
                artifact = null;
                violations = List.of(Violation.error("unparseable_output", "output", e.getMessage()));
            }
            attempts.add(new Wire.Attempt(n, output, violations));
            observe(iteration, n, req, messages, output, violations, valid, provider, model);
            messages.add(Map.of("role", "assistant", "content", output));
            messages.add(Map.of("role", "user", "content", correction(violations)));
        }
        ObjectNode out = Json.mapper().createObjectNode().put("valid", valid);
        out.set("final", Json.mapper().valueToTree(artifact));   // null when no attempt parsed
        out.set("attempts", Json.mapper().valueToTree(attempts));
        out.put("iteration_id", iteration).put("provider", provider).put("model", model);
        return out;
    }

    private JsonNode chat(Wire.IterateRequest req, List<Map<String, String>> messages) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (req.provider() != null) {
            body.put("provider", req.provider());
        }
        if (req.model() != null) {
            body.put("model", req.model());
        }
        body.put("messages", messages);
        body.put("temperature", 0.2);
        return chatd.post("/v1/chat", body, JsonNode.class, false);
    }

    private static Wire.Order order(JsonNode context) {
        JsonNode order = context.path("order");
        FieldError.check(order.isObject(), "context.order", "is required for kind fill (the order to staff)");
        return Json.convert(order, Wire.Order.class, "context.order");
    }

    private static String recipient(JsonNode context) {
        JsonNode to = context.path("to_worker_id");
        FieldError.check(to.isTextual(), "context.to_worker_id", "is required for kind email (the recipient)");
        return to.asText();
    }

    /** The first JSON object in a model's output, fences and prose around it ignored. */
    static ObjectNode json(String output) {
        int start = output.indexOf('{');
        int end = output.lastIndexOf('}');
        if (start < 0 || end <= start) {
            throw new Unparseable("the answer has no JSON object");
        }
        try {
            JsonNode node = Json.mapper().readTree(output.substring(start, end + 1));
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (Exception e) {
            throw new Unparseable("the answer's JSON does not parse: " + e.getMessage().lines().findFirst().orElse(""));
        }
        throw new Unparseable("the answer is not a JSON object");
    }

    static Wire.Fill parseFill(String output, Wire.Order order) {
        JsonNode ids = json(output).path("worker_ids");
        if (!ids.isArray()) {
            throw new Unparseable("the answer has no worker_ids array");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw new Unparseable("worker_ids holds " + id + ", not a string");
            }
            list.add(id.asText());
        }
        try {
            return new Wire.Fill(order, list);
        } catch (FieldError e) {
            throw new Unparseable(e.field() + ": " + e.getMessage());
        }
    }

    static Wire.Email parseEmail(String output, String to) {
        ObjectNode node = json(output);
        if (!node.path("subject").isTextual() || !node.path("body").isTextual()) {
            throw new Unparseable("the answer needs string fields subject and body");
        }
        try {
            return new Wire.Email(to, node.path("subject").asText(), node.path("body").asText());
        } catch (FieldError e) {
            throw new Unparseable(e.field() + ": " + e.getMessage());
        }
    }

    static String correction(List<Violation> violations) {
        StringBuilder sb = new StringBuilder("Your answer breaks these rules:\n");
        for (Violation v : violations) {
            sb.append("- ").append(v.rule()).append(" at ").append(v.path()).append(": ").append(v.message()).append('\n');
        }
        return sb.append("Answer again with only the corrected JSON object.").toString();
    }

    private void observe(String iteration, int n, Wire.IterateRequest req, List<Map<String, String>> prompt, String output,
                         List<Violation> violations, boolean valid, String provider, String model) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("iteration_id", iteration);
        p.put("n", n);
        p.put("kind", req.kind());
        p.put("instruction", req.instruction());
        p.put("context", req.context());
        p.put("prompt", List.copyOf(prompt));
        p.put("output", output);
        p.put("violations", violations);
        p.put("valid", valid);
        p.put("provider", provider);
        p.put("model", model);
        observer.observe("iterate.attempt", p);
    }

    /** A model's output that is not the artifact asked for. */
    static final class Unparseable extends RuntimeException {
        Unparseable(String message) {
            super(message);
        }
    }
}
