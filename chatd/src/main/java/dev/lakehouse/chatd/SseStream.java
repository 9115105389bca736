package dev.lakehouse.chatd;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lakehouse.common.Json;
import dev.lakehouse.common.Problem;
import dev.lakehouse.common.RequestContext;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;

/**
 * A chat answer streamed as Server-Sent Events onto a response, committed (200, text/event-stream) at the first event:
 * {@link Chat} for {@code /v1/chat}, {@link OpenAi} for {@code /v1/chat/completions}. The framing, the keep-alives and what
 * a stream that breaks after its first byte ends with live here; the routes only choose one and {@link #run} the call.
 */
abstract sealed class SseStream implements Dispatcher.Sink permits SseStream.Chat, SseStream.OpenAi {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private final ServerResponse res;
    private OutputStream out;

    SseStream(ServerResponse res) {
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

    /**
     * Runs a streamed call. A failure before the first byte is an ordinary problem+json
     * answer; after it, an error event on the stream; a caller who left gets nothing.
     */
    static void run(SseStream sink, Runnable call) {
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


    /** {@code /v1/chat} events: {@code start {provider,model}}, {@code delta {content}}…, {@code done {…}} or {@code error {problem}}. */
    static final class Chat extends SseStream {
        Chat(ServerResponse res) {
            super(res);
        }

        @Override
        public void start(dev.lakehouse.chatd.Chat.Target target) {
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

        /** The last event: who answered, why it ended, the usage, the timings and the attempts. */
        void done(dev.lakehouse.chatd.Chat.Completion c) {
            event("done", Json.bytes(new ChatdWire.StreamDone(c.target().provider(), c.target().model(), c.finishReason(), c.usage(),
                    c.latencyMs(), c.ttftMs(), c.attempts())));
        }
    }

    /** {@code /v1/chat/completions} chunks, as OpenAI streams them. */
    static final class OpenAi extends SseStream {
        private final String id;
        private final long created;
        private dev.lakehouse.chatd.Chat.Target target;

        OpenAi(ServerResponse res, String id, long created) {
            super(res);
            this.id = id;
            this.created = created;
        }

        /** A chunk of one choice: its delta (role and content when given) and finish_reason (null until the last). */
        void choice(dev.lakehouse.chatd.Chat.Target t, String role, String content, String finishReason) {
            data(Json.bytes(new ChatdWire.Chunk(id, "chat.completion.chunk", created, t.id(),
                    List.of(new ChatdWire.ChunkChoice(0, new ChatdWire.Delta(role, content), null, finishReason)), null)));
        }

        /** The last chunk with its finish_reason, the usage chunk when asked for, and [DONE]. */
        void done(dev.lakehouse.chatd.Chat.Completion c, boolean includeUsage) {
            choice(c.target(), null, null, c.finishReason());
            if (includeUsage) {
                data(Json.bytes(new ChatdWire.Chunk(id, "chat.completion.chunk", created, c.target().id(), List.of(),
                        c.usage())));
            }
            data("[DONE]".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void start(dev.lakehouse.chatd.Chat.Target t) {
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
