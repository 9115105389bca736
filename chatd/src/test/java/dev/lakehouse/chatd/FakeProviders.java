package dev.lakehouse.chatd;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Local servers speaking the five providers' real wire protocols, on one port
 * under a path prefix each: Ollama's {@code /api/chat} (one JSON answer, or NDJSON
 * lines ending with {@code "done":true}; errors as {@code {"error":"…"}}, also as a
 * line inside a 200 stream) for {@code /ollama} and {@code /ollama_cloud}; OpenAI chat
 * completions (one JSON answer, or SSE {@code data:} chunks and {@code [DONE]};
 * OpenRouter's {@code : OPENROUTER PROCESSING} comments; Moonshot's usage inside
 * the choice; errors as {@code {"error":{…}}}) for {@code /openrouter}, {@code /kimi},
 * {@code /opencode}. Each provider answers from a script of {@link Step}s, one per
 * call, then {@link Step#ok()} for the rest; every call is recorded.
 */
final class FakeProviders implements AutoCloseable {
    /** One scripted answer. */
    record Step(String kind, int status, String retryAfter, long delayMs, int chunks, String usage) {
        Step(String kind, int status, String retryAfter, long delayMs, int chunks) {
            this(kind, status, retryAfter, delayMs, chunks, null);
        }

        static Step ok() {
            return new Step("ok", 200, null, 0, 3);
        }

        /** A good answer reporting this usage object (raw JSON: negative, absurd, missing fields…). */
        static Step reporting(String usageJson) {
            return new Step("ok", 200, null, 0, 3, usageJson);
        }

        /** Two chunks, then the connection dropped: no end of the stream, no last chunk of the chunked body. */
        static Step dropped() {
            return new Step("dropped", 200, null, 0, 2);
        }

        /** Two chunks, then a chunk that is not JSON. */
        static Step malformed() {
            return new Step("malformed", 200, null, 0, 2);
        }

        static Step status(int status, String retryAfter) {
            return new Step("status", status, retryAfter, 0, 0);
        }

        /** No answer at all for 30 s. */
        static Step hang() {
            return new Step("hang", 200, null, 30_000, 0);
        }

        /** Two chunks, then an error inside the 200 stream. */
        static Step midStreamError() {
            return new Step("mid_stream_error", 200, null, 0, 2);
        }

        /** Keep-alive comments (OpenRouter) or nothing (Ollama) for delayMs, then the answer. */
        static Step slowFirstToken(long delayMs) {
            return new Step("slow_first", 200, null, delayMs, 3);
        }

        /** 200 with no content. */
        static Step empty() {
            return new Step("empty", 200, null, 0, 0);
        }

        /** One chunk every delayMs, for {@code chunks} chunks: a long answer, to watch cancellation. */
        static Step ticking(int chunks, long delayMs) {
            return new Step("ticking", 200, null, delayMs, chunks);
        }
    }

    /** A recorded call. */
    record Call(String provider, String path, String authorization, JsonNode body) {
    }

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Queue<Step>> scripts = new ConcurrentHashMap<>();
    /** Chunks a ticking stream wrote before its writes failed (the caller — chatd — hung up), or -1 while running. */
    final AtomicInteger tickedBeforeCancel = new AtomicInteger(-1);
    volatile CountDownLatch tickingEnded = new CountDownLatch(1);
    private final DaemonServer server;

    FakeProviders() {
        server = DaemonServer.builder("fakeproviders", EnvConfig.of(Map.of("LAKEHOUSE_FAKEPROVIDERS_PORT", "0")), 0)
                .embedded()
                .routing(r -> r.post("/*", this::handle))
                .start();
    }

    URI url(String prefix) {
        return URI.create("http://127.0.0.1:" + server.port() + prefix);
    }

    /** The environment pointing chatd's five providers here. */
    Map<String, String> env() {
        return Map.of("CHATD_OLLAMA_URL", url("/ollama").toString(),
                "CHATD_OLLAMA_CLOUD_URL", url("/ollama_cloud").toString(),
                "CHATD_OPENROUTER_URL", url("/openrouter/api/v1").toString(),
                "CHATD_KIMI_URL", url("/kimi/v1").toString(),
                "CHATD_OPENCODE_URL", url("/opencode/zen/v1").toString());
    }

    void script(String provider, Step... steps) {
        scripts.computeIfAbsent(provider, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(steps));
    }

    List<Call> calls(String provider) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.provider().equals(provider)).toList();
        }
    }

    void reset() {
        calls.clear();
        scripts.clear();
        tickedBeforeCancel.set(-1);
        tickingEnded = new CountDownLatch(1);
    }

    private void handle(ServerRequest req, ServerResponse res) throws Exception {
        String path = req.prologue().uriPath().path();
        String provider = path.split("/")[1];
        JsonNode body = Json.mapper().readTree(req.content().inputStream());
        calls.add(new Call(provider, path, req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse(null), body));
        Queue<Step> script = scripts.get(provider);
        Step step = script == null || script.isEmpty() ? Step.ok() : script.poll();
        boolean ollama = path.endsWith("/api/chat");
        boolean stream = body.path("stream").asBoolean(false);
        String model = body.path("model").asText();
        if (step.kind().equals("status")) {
            if (step.retryAfter() != null) {
                res.header("Retry-After", step.retryAfter());
            }
            res.status(step.status());
            res.header("Content-Type", "application/json");
            res.send(ollama ? "{\"error\":\"scripted failure " + step.status() + "\"}"
                    : "{\"error\":{\"message\":\"scripted failure " + step.status() + "\",\"code\":" + step.status() + "}}");
            return;
        }
        if (step.kind().equals("hang")) {
            Thread.sleep(step.delayMs());
            res.status(200).send();
            return;
        }
        if (model.equals("missing")) {
            res.status(404).header("Content-Type", "application/json");
            res.send(ollama ? "{\"error\":\"model \\\"missing\\\" not found, try pulling it first\"}"
                    : "{\"error\":{\"message\":\"No endpoints found for missing.\",\"code\":404}}");
            return;
        }
        List<String> words = List.of("Hello", " from ", provider + "/" + model);
        if (step.kind().equals("ticking")) {
            words = new ArrayList<>();
            for (int i = 0; i < step.chunks(); i++) {
                words.add("tick" + i + " ");
            }
        }
        if (!stream) {
            if (step.kind().equals("slow_first")) {
                Thread.sleep(step.delayMs());
            }
            res.header("Content-Type", "application/json");
            String content = step.kind().equals("empty") ? "" : String.join("", words);
            res.send(ollama ? ollamaWhole(model, content) : openAiWhole(provider, model, content, step.usage()));
            return;
        }
        res.header("Content-Type", ollama ? "application/x-ndjson" : "text/event-stream");
        OutputStream out = res.outputStream();
        int sent = 0;
        try {
            if (step.kind().equals("slow_first")) {
                long until = System.currentTimeMillis() + step.delayMs();
                while (System.currentTimeMillis() < until) {
                    if (!ollama) {
                        write(out, ": OPENROUTER PROCESSING\n\n");
                    }
                    Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis())));
                }
            }
            if (step.kind().equals("empty")) {
                write(out, ollama ? ollamaLine(model, "", true) : "data: " + openAiChunk(provider, model, "", "stop", false)
                        + "\n\ndata: [DONE]\n\n");
                return;
            }
            if (!ollama) {
                write(out, ": OPENROUTER PROCESSING\n\n");
            }
            for (String w : words) {
                if (step.kind().equals("dropped") && sent == step.chunks()) {
                    throw new IllegalStateException("the fake drops the connection mid-answer");   // Helidon aborts it
                }
                if (step.kind().equals("malformed") && sent == step.chunks()) {
                    write(out, ollama ? "{\"message\":{\"content\":\"oops\"\n" : "data: {\"choices\":[{\"delta\":\n\n");
                    out.close();
                    return;
                }
                if (step.kind().equals("mid_stream_error") && sent == step.chunks()) {
                    write(out, ollama ? "{\"error\":\"an error was encountered while running the model\"}\n"
                            : "data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"error\":{\"code\":502,"
                            + "\"message\":\"Provider disconnected\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
                            + "\"finish_reason\":\"error\"}]}\n\n");
                    return;
                }
                write(out, ollama ? ollamaLine(model, w, false) : "data: " + openAiChunk(provider, model, w, null, false) + "\n\n");
                sent++;
                if (step.kind().equals("ticking")) {
                    Thread.sleep(step.delayMs());
                }
            }
            write(out, ollama ? ollamaLine(model, "", true)
                    : "data: " + openAiChunk(provider, model, "", "stop", false) + "\n\n"
                    + "data: " + openAiChunk(provider, model, null, null, true) + "\n\ndata: [DONE]\n\n");
            out.close();
        } catch (IOException | RuntimeException e) {   // Helidon reports a peer gone as an unchecked exception
            if (step.kind().equals("dropped")) {
                throw e;   // out of the handler after the answer began: Helidon closes the connection, unfinished
            }
            if (step.kind().equals("ticking")) {
                tickedBeforeCancel.set(sent);
            }
        } finally {
            if (step.kind().equals("ticking")) {
                tickingEnded.countDown();
            }
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String ollamaWhole(String model, String content) {
        return "{\"model\":\"" + model + "\",\"created_at\":\"2026-11-22T10:00:00Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":" + quote(content) + "},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":5191566416,"
                + "\"prompt_eval_count\":26,\"eval_count\":3}";
    }

    private static String ollamaLine(String model, String content, boolean done) {
        return "{\"model\":\"" + model + "\",\"created_at\":\"2026-11-22T10:00:00Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":" + quote(content) + "},\"done\":" + done
                + (done ? ",\"done_reason\":\"stop\",\"prompt_eval_count\":26,\"eval_count\":3" : "") + "}\n";
    }

    private static String openAiWhole(String provider, String model, String content, String reported) {
        String usage = reported != null ? reported : "{\"prompt_tokens\":26,\"completion_tokens\":3,\"total_tokens\":29}";
        return "{\"id\":\"gen-1\",\"object\":\"chat.completion\",\"created\":1790000000,\"model\":\"" + model + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(content) + "},"
                + "\"finish_reason\":\"stop\"" + (provider.equals("kimi") ? ",\"usage\":" + usage : "") + "}]"
                + (provider.equals("kimi") ? "" : ",\"usage\":" + usage) + "}";
    }

    /** A chunk; Moonshot (kimi) puts usage inside the finishing choice, the others in a last chunk of their own. */
    private static String openAiChunk(String provider, String model, String content, String finish, boolean usageChunk) {
        String usage = "{\"prompt_tokens\":26,\"completion_tokens\":3,\"total_tokens\":29}";
        if (usageChunk) {
            return provider.equals("kimi") ? "{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"choices\":[]}"
                    : "{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":" + usage + "}";
        }
        return "{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"created\":1790000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + quote(content == null ? "" : content)
                + "},\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"")
                + (finish != null && provider.equals("kimi") ? ",\"usage\":" + usage : "") + "}]}";
    }

    private static String quote(String s) {
        return new String(Json.bytes(s), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop();
    }
}
