package dev.lakehouse.chatd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * chatd's API (docs/chatd.md):
 * <pre>
 * POST /v1/chat              chatd's own shape; "stream":true → SSE events start, delta…, done | error
 * POST /v1/chat/completions  OpenAI's shape; "stream":true → data: {chunk}… data: [DONE]
 * GET  /v1/providers         each provider's state (ok, no_key, cooling_down) and known models
 * GET  /v1/models            provider/model ids in OpenAI's list shape
 * GET  /v1/spend             the ledger summed: ?key=&from=&to=&group_by=model|day|route|key, and the budgets' state
 * </pre>
 */
record ChatdRoutes(Dispatcher dispatcher) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.POST, "/chat", this::chat);
        Routes.only(rules, Method.POST, "/chat/completions", this::completions);
        Routes.only(rules, Method.GET, "/providers", this::providers);
        Routes.only(rules, Method.GET, "/models", this::models);
        Routes.only(rules, Method.GET, "/spend", this::spend);
    }

    private void spend(ServerRequest req, ServerResponse res) throws java.io.IOException {
        ChatdWire.SpendQuery q = ChatdWire.SpendQuery.of(req.query(), java.time.Clock.systemUTC());
        Json.send(res, 200, dispatcher.spend().report(q.key(), q.from(), q.to(), q.groupBy()));
    }

    private void chat(ServerRequest req, ServerResponse res) {
        ChatdWire.ChatRequest body = Json.read(req, ChatdWire.ChatRequest.class);
        Chat.Target first = dispatcher.resolve(body.provider(), body.model(), "");
        List<Chat.Target> fallback = new ArrayList<>();
        for (int i = 0; i < body.fallback().size(); i++) {
            ChatdWire.TargetSpec f = body.fallback().get(i);
            fallback.add(dispatcher.resolve(f.provider(), f.model(), "fallback[" + i + "]."));
        }
        List<Chat.Message> messages = body.messages().stream().map(m -> new Chat.Message(m.role(), m.content())).toList();
        Chat.Call call = dispatcher.call(messages, body.temperature(), body.maxTokens(), body.stop(), first, fallback);
        if (!body.streaming()) {
            Chat.Completion c = dispatcher.chat(call, "chat", null);
            Json.send(res, 200, new ChatdWire.ChatResponse(c.target().provider(), c.target().model(),
                    new ChatdWire.Message("assistant", c.content()), c.finishReason(), c.usage(), c.latencyMs(), c.ttftMs(),
                    c.attempts()));
            return;
        }
        SseStream.Chat sink = new SseStream.Chat(res);
        SseStream.run(sink, () -> sink.done(dispatcher.chat(call, "chat", sink)));
    }

    private void completions(ServerRequest req, ServerResponse res) {
        ChatdWire.CompletionRequest body = Json.read(req, ChatdWire.CompletionRequest.class);
        Chat.Target first = dispatcher.resolve(null, body.model(), "");
        List<Chat.Message> messages = body.messages().stream().map(ChatdWire.CompletionMessage::toMessage).toList();
        Chat.Call call = dispatcher.call(messages, body.temperature(), body.tokens(), body.stops(), first, List.of());
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (!body.streaming()) {
            Chat.Completion c = dispatcher.chat(call, "chat.completions", null);
            Json.send(res, 200, ChatdWire.Completion.of(id, created, c));
            return;
        }
        SseStream.OpenAi sink = new SseStream.OpenAi(res, id, created);
        SseStream.run(sink, () -> sink.done(dispatcher.chat(call, "chat.completions", sink), body.includeUsage()));
    }

    private void providers(ServerRequest req, ServerResponse res) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("default", dispatcher.config().defaultTarget().id());
        out.put("fallback", dispatcher.config().defaultChain().stream().map(Chat.Target::id).toList());
        out.put("providers", dispatcher.providerStates());
        Json.send(res, 200, out);
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.mapper().createObjectNode().put("object", "list");
        var data = out.putArray("data");
        for (Provider.Settings s : dispatcher.providerSettings()) {
            if (!s.hasKey()) {
                continue;
            }
            for (String model : dispatcher.models(s)) {
                data.addObject().put("id", s.name() + "/" + model).put("object", "model").put("created", 0)
                        .put("owned_by", s.name());
            }
        }
        Json.sendBytes(res, 200, Json.bytes(out));
    }
}
