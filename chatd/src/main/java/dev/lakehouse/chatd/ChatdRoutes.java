package dev.lakehouse.chatd;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Problem;
import dev.lakehouse.common.RequestContext;
import dev.lakehouse.common.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.CloseConnectionException;
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
 * </pre>
 */
final class ChatdRoutes implements HttpService {
    private final Dispatcher dispatcher;

    ChatdRoutes(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.POST, "/chat", this::chat);
        Routes.only(rules, Method.POST, "/chat/completions", this::completions);
        Routes.only(rules, Method.GET, "/providers", this::providers);
        Routes.only(rules, Method.GET, "/models", this::models);
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
        ChatSink sink = new ChatSink(res);
        stream(sink, () -> {
            Chat.Completion c = dispatcher.chat(call, "chat", sink);
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("provider", c.target().provider());
            done.put("model", c.target().model());
            done.put("finish_reason", c.finishReason());
            if (c.usage() != null) {
                done.put("usage", c.usage());
            }
            done.put("latency_ms", c.latencyMs());
            done.put("ttft_ms", c.ttftMs());
            done.put("attempts", c.attempts());
            sink.event("done", Json.bytes(done));
        });
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
            ObjectNode out = Json.mapper().createObjectNode()
                    .put("id", id).put("object", "chat.completion").put("created", created).put("model", c.target().id());
            ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", c.content()).putNull("refusal");
            choice.putNull("logprobs");
            choice.put("finish_reason", c.finishReason());
            usage(out, c.usage());
            Json.sendBytes(res, 200, Json.bytes(out));
            return;
        }
        OpenAiSink sink = new OpenAiSink(res, id, created);
        stream(sink, () -> {
            Chat.Completion c = dispatcher.chat(call, "chat.completions", sink);
            sink.choice(c.target(), null, null, c.finishReason());
            if (body.includeUsage()) {
                ObjectNode usage = sink.chunk(c.target());
                usage.putArray("choices");
                usage(usage, c.usage());
                sink.data(Json.bytes(usage));
            }
            sink.data("[DONE]".getBytes(StandardCharsets.US_ASCII));
        });
    }

    /**
     * Runs a streamed call. A failure before the first byte is an ordinary problem+json
     * answer; after it, an error event on the stream; a caller who left gets nothing.
     */
    private static void stream(SseSink sink, Runnable call) {
        try {
            call.run();
        } catch (Dispatcher.StreamBroken broken) {
            sink.broken(broken);
        } catch (Dispatcher.ClientGone gone) {
            // the provider call is already cancelled; there is no one to tell
        } finally {
            sink.close();
        }
    }

    private static void usage(ObjectNode node, Chat.Usage u) {
        if (u == null) {
            return;
        }
        node.putObject("usage").put("prompt_tokens", u.promptTokens()).put("completion_tokens", u.completionTokens())
                .put("total_tokens", u.totalTokens());
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

    /** Server-Sent Events onto a response, committed (200, text/event-stream) at the first event. */
    abstract static class SseSink implements Dispatcher.Sink {
        private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
        private final ServerResponse res;
        private OutputStream out;

        SseSink(ServerResponse res) {
            this.res = res;
        }

        void open() {
            if (out == null) {
                res.status(200);
                res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                RequestContext.currentId().ifPresent(id -> res.header(RequestContext.HEADER, id));
                out = res.outputStream();
            }
        }

        void event(String name, byte[] data) {
            open();
            write((name == null ? "" : "event: " + name + "\n").getBytes(StandardCharsets.US_ASCII), DATA, data, END);
        }

        void data(byte[] data) {
            event(null, data);
        }

        @Override
        public void idle() {
            if (out != null) {
                write(KEEP_ALIVE);
            }
        }

        /** Writes and flushes; a caller gone (Helidon's unchecked CloseConnectionException too) is an UncheckedIOException. */
        private void write(byte[]... parts) {
            try {
                for (byte[] part : parts) {
                    out.write(part);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (CloseConnectionException e) {
                throw new UncheckedIOException(new IOException("the caller closed the connection", e));
            }
        }

        abstract void broken(Dispatcher.StreamBroken broken);

        /** The kit's problem body for a stream that failed after its first byte, with the error kind and the attempts. */
        static Problem problem(Dispatcher.StreamBroken broken) {
            Map<String, Object> extensions = new LinkedHashMap<>();
            extensions.put("error_kind", broken.kind.code());
            extensions.put("attempts", broken.attempts);
            return Problem.of(502, "stream_failed", broken.getMessage(), "chatd", RequestContext.currentId().orElse(null),
                    broken.target.provider()).withExtensions(extensions);
        }

        void close() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException | UncheckedIOException | CloseConnectionException e) {
                    // the caller has gone: nothing more to do
                }
            }
        }
    }

    /** {@code /v1/chat} events: {@code start {provider,model}}, {@code delta {content}}…, {@code done {…}} or {@code error {problem}}. */
    static final class ChatSink extends SseSink {
        ChatSink(ServerResponse res) {
            super(res);
        }

        @Override
        public void start(Chat.Target target) {
            event("start", Json.bytes(Map.of("provider", target.provider(), "model", target.model())));
        }

        @Override
        public void delta(String text) {
            event("delta", Json.bytes(Map.of("content", text)));
        }

        @Override
        void broken(Dispatcher.StreamBroken broken) {
            event("error", problem(broken).toBytes());
        }
    }

    /** {@code /v1/chat/completions} chunks, as OpenAI streams them. */
    static final class OpenAiSink extends SseSink {
        private final String id;
        private final long created;
        private Chat.Target target;

        OpenAiSink(ServerResponse res, String id, long created) {
            super(res);
            this.id = id;
            this.created = created;
        }

        ObjectNode chunk(Chat.Target t) {
            return Json.mapper().createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                    .put("created", created).put("model", t.id());
        }

        /** A chunk of one choice: its delta (role and content when given) and finish_reason (null until the last). */
        void choice(Chat.Target t, String role, String content, String finishReason) {
            ObjectNode c = chunk(t);
            ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (role != null) {
                delta.put("role", role);
            }
            if (content != null) {
                delta.put("content", content);
            }
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            data(Json.bytes(c));
        }

        @Override
        public void start(Chat.Target t) {
            target = t;
            choice(t, "assistant", "", null);
        }

        @Override
        public void delta(String text) {
            choice(target, null, text, null);
        }

        /** As OpenAI-compatible servers report a failure inside a stream: an {@code error} object, and no [DONE]. */
        @Override
        void broken(Dispatcher.StreamBroken broken) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", broken.getMessage());
            error.put("type", "upstream_error");
            error.put("code", "stream_failed");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", error);
            body.put("problem", problem(broken));
            data(Json.bytes(body));
        }
    }

}
