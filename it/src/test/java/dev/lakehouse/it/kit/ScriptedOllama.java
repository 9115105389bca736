package dev.lakehouse.it.kit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

/**
 * A local server speaking Ollama's {@code POST /api/chat}, whole and NDJSON-streamed
 * (one line per word, then the {@code done} line), for chatd to call in tests; usage is
 * fixed: 40 prompt tokens, and 12 output tokens for a whole answer, 3 for a stream. The
 * answer to each call comes from {@code answer} (given the request body); every
 * request body is recorded in {@link #calls()}. With a {@code perWord} pause, a stream
 * sends its words that far apart, as a model producing tokens does.
 */
public final class ScriptedOllama implements AutoCloseable {
    private final List<JsonNode> calls = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger aborted = new java.util.concurrent.atomic.AtomicInteger();
    private final DaemonServer server;
    private final java.time.Duration perWord;

    public ScriptedOllama(Function<JsonNode, String> answer) {
        this(answer, java.time.Duration.ZERO);
    }

    public ScriptedOllama(Function<JsonNode, String> answer, java.time.Duration perWord) {
        this.perWord = perWord;
        server = DaemonServer.builder("scriptedollama", EnvConfig.of(Map.of("LAKEHOUSE_SCRIPTEDOLLAMA_PORT", "0")), 0)
                .embedded()
                .routing(r -> r.post("/api/chat", (req, res) -> {
                    JsonNode body = Json.mapper().readTree(req.content().inputStream());
                    calls.add(body);
                    String content = answer.apply(body);
                    String model = body.path("model").asText();
                    if (!body.path("stream").asBoolean()) {
                        Json.send(res, 200, done(model, content, 12));
                        return;
                    }
                    String[] words = content.split("(?<= )");
                    res.header("Content-Type", "application/x-ndjson");
                    try (var out = res.outputStream()) {
                        streamWords(out, model, words);
                    } catch (Exception e) {   // the caller (chatd) closed the stream before its end: the write failed
                        aborted.incrementAndGet();
                    }
                }))
                .start();
    }

    private void streamWords(java.io.OutputStream out, String model, String[] words) throws Exception {
        for (String word : words) {
            if (!perWord.isZero()) {
                Thread.sleep(perWord);
            }
            out.write(Json.bytes(Map.of("model", model, "message", Map.of("role", "assistant", "content", word), "done", false)));
            out.write('\n');
            out.flush();
        }
        out.write(Json.bytes(done(model, "", 3)));
        out.write('\n');
        out.flush();
    }

    private static Map<String, Object> done(String model, String content, int tokens) {
        return Map.of("model", model, "message", Map.of("role", "assistant", "content", content), "done", true,
                "done_reason", "stop", "prompt_eval_count", 40, "eval_count", tokens);
    }

    public int port() {
        return server.port();
    }

    /** How many streams were cut by the caller before their last line. */
    public int aborted() {
        return aborted.get();
    }

    /** Every request body received, in order. */
    public List<JsonNode> calls() {
        return calls;
    }

    @Override
    public void close() {
        server.stop();
    }
}
