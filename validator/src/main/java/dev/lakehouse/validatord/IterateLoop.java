package dev.lakehouse.validatord;

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
import dev.lakehouse.common.RequestContext;
import dev.lakehouse.validatord.client.ChatdClient;
import dev.lakehouse.validatord.client.PathwaydClient;

/**
 * {@code POST /v1/iterate}: generate → validate → correct. Asks chatd for the
 * artifact (a fill's worker ids, or an e-mail's subject and body, as JSON), parses
 * it (unparseable output is itself a violation), validates it, and while it is
 * invalid sends the violations back as a correction and asks again, up to
 * {@code max_attempts}. Every attempt is recorded ({@code iterate.attempt}, with
 * the prompt, the output and its violations, under one {@code iteration_id}):
 * failed-then-corrected pairs are the preference data of the distillation pipeline.
 * A valid fill is also recorded as a playbook in pathwayd (fire-and-forget, id
 * {@code playbook-<iteration_id>}), when the order names its role.
 */
final class IterateLoop {
    /** The request id prefix of an attempt's chat call (distilld's Materializer.ITERATE_CALL_PREFIX; docs/distilld.md). */
    static final String ITERATE_CALL_PREFIX = "iterate-";

    static final String FILL_SYSTEM = "You staff orders for a staffing agency. Answer with only a JSON object "
            + "{\"worker_ids\": [\"W000123\", ...]}: worker ids are W and six digits, chosen from the workers in the context "
            + "(active, of a compatible role, within the order's radius), no more than the order's headcount. No prose.";
    static final String EMAIL_SYSTEM = "You write e-mails from a staffing agency to one worker. Answer with only a JSON "
            + "object {\"subject\": \"...\", \"body\": \"...\"}. Greet the worker by their first name. Never include "
            + "social security numbers, pay or salary figures, or other workers' phone numbers or e-mail addresses. No prose.";

    private final Validation validation;
    private final ChatdClient chatd;
    private final Observer observer;
    private final java.util.function.Consumer<PathwaydClient.PlaybookMemory> playbooks;

    IterateLoop(Validation validation, ChatdClient chatd, Observer observer,
                java.util.function.Consumer<PathwaydClient.PlaybookMemory> playbooks) {
        this.validation = validation;
        this.chatd = chatd;
        this.observer = observer;
        this.playbooks = playbooks;
    }

    ValidatordWire.IterateResponse run(ValidatordWire.IterateRequest req) {
        JsonNode context = req.context() == null ? Json.mapper().createObjectNode() : req.context();
        // what the kind fixes: the prompt, and how an answer becomes the artifact to validate
        String system = switch (req.kind()) {
            case FILL -> FILL_SYSTEM;
            case EMAIL -> EMAIL_SYSTEM;
        };
        java.util.function.Function<String, ValidatordWire.Artifact> parse = switch (req.kind()) {
            case FILL -> {
                ValidatordWire.Order order = order(context);
                yield output -> parseFill(output, order);
            }
            case EMAIL -> {
                String to = recipient(context);
                yield output -> parseEmail(output, to);
            }
        };
        String iteration = UUID.randomUUID().toString();
        List<ChatdClient.Message> messages = new ArrayList<>();
        messages.add(ChatdClient.Message.system(system));
        messages.add(ChatdClient.Message.user(req.instruction() + "\n\nContext:\n" + context));
        List<ValidatordWire.Attempt> attempts = new ArrayList<>();
        ValidatordWire.Artifact artifact = null;
        boolean valid = false;
        String provider = null;
        String model = null;
        for (int n = 1; n <= req.maxAttempts() && !valid; n++) {
            List<ChatdClient.Message> asked = List.copyOf(messages);
            // under the run's own request id: distilld knows from the call alone that it is an attempt's, not a chat answer
            ChatdClient.ChatResponse answer = RequestContext.callAs(ITERATE_CALL_PREFIX + iteration,
                    () -> chatd.chat(new ChatdClient.ChatRequest(req.provider(), req.model(), asked, 0.2)));
            provider = answer.provider();
            model = answer.model();
            String output = answer.content();
            List<Violation> violations;
            try {
                artifact = parse.apply(output);
                Validation.Result r = validation.check(artifact);
                violations = r.violations();
                valid = r.valid();
            } catch (Unparseable e) {
                artifact = null;
                violations = List.of(Violation.error("unparseable_output", "output", e.getMessage()));
            }
            attempts.add(new ValidatordWire.Attempt(n, output, violations));
            observe(iteration, n, req, messages, output, violations, valid, provider, model);
            messages.add(ChatdClient.Message.assistant(output));
            messages.add(ChatdClient.Message.user(correction(violations)));
        }
        if (valid && artifact instanceof ValidatordWire.Fill fill && fill.order().role() != null && !fill.workerIds().isEmpty()) {
            playbooks.accept(playbook(iteration, fill, attempts.size(), provider, model));
        }
        return new ValidatordWire.IterateResponse(valid, artifact, List.copyOf(attempts), iteration, provider, model);
    }

    /** The playbook of a valid fill: what was staffed, with whom, found how. */
    static PathwaydClient.PlaybookMemory playbook(String iteration, ValidatordWire.Fill fill, int attempts, String provider,
                                                  String model) {
        ValidatordWire.Order o = fill.order();
        StringBuilder text = new StringBuilder("Filled ");
        text.append(o.orderId() != null ? "order " + o.orderId() : "an order").append(" for ")
                .append(o.headcount() != null ? o.headcount() + " × " : "").append(o.role());
        if (o.city() != null || o.state() != null) {
            text.append(" in ").append(o.city() != null ? o.city() : "").append(o.city() != null && o.state() != null ? ", " : "")
                    .append(o.state() != null ? o.state() : "");
        }
        text.append(" with ").append(String.join(", ", fill.workerIds())).append('.');
        ObjectNode metadata = Json.mapper().createObjectNode().put("iteration_id", iteration).put("attempts", attempts)
                .put("provider", provider).put("model", model);
        return new PathwaydClient.PlaybookMemory("playbook-" + iteration, text.toString(), o.role(),
                new PathwaydClient.Playbook(Json.mapper().valueToTree(o), fill.workerIds(), "filled"), metadata);
    }

    private static ValidatordWire.Order order(JsonNode context) {
        JsonNode order = context.path("order");
        FieldError.check(order.isObject(), "context.order", "is required for kind fill (the order to staff)");
        return Json.convert(order, ValidatordWire.Order.class, "context.order");
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

    static ValidatordWire.Fill parseFill(String output, ValidatordWire.Order order) {
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
            return new ValidatordWire.Fill(order, list);
        } catch (FieldError e) {
            throw new Unparseable(e.field() + ": " + e.getMessage());
        }
    }

    static ValidatordWire.Email parseEmail(String output, String to) {
        ObjectNode node = json(output);
        if (!node.path("subject").isTextual() || !node.path("body").isTextual()) {
            throw new Unparseable("the answer needs string fields subject and body");
        }
        try {
            return new ValidatordWire.Email(to, node.path("subject").asText(), node.path("body").asText());
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

    private void observe(String iteration, int n, ValidatordWire.IterateRequest req, List<ChatdClient.Message> prompt, String output,
                         List<Violation> violations, boolean valid, String provider, String model) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("iteration_id", iteration);
        p.put("n", n);
        p.put("kind", req.kind().toString());
        p.put("instruction", req.instruction());
        p.put("context", req.context());
        p.put("prompt", List.copyOf(prompt));
        p.put("output", output);
        p.put("violations", violations);
        p.put("valid", valid);
        p.put("last", valid || n == req.maxAttempts());   // distilld holds a run open across its runs until its last attempt
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
