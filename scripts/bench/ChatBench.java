/*
 * Helper for scripts/bench/chat.sh (a single-file Java program, run with chatd's jar and libs):
 *
 *   fake-ollama <port> <tokens>   serve Ollama's POST /api/chat at once: a whole answer, or NDJSON of <tokens> deltas
 */
import java.util.Map;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

public class ChatBench {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        int tokens = Integer.parseInt(args[2]);
        StringBuilder whole = new StringBuilder();
        byte[][] lines = new byte[tokens + 1][];
        for (int i = 0; i < tokens; i++) {
            String word = "word" + i + " ";
            whole.append(word);
            lines[i] = (new String(Json.bytes(Map.of("model", "bench", "message", Map.of("role", "assistant", "content", word),
                    "done", false))) + "\n").getBytes();
        }
        lines[tokens] = (new String(Json.bytes(Map.of("model", "bench", "message", Map.of("role", "assistant", "content", ""),
                "done", true, "done_reason", "stop", "prompt_eval_count", 20, "eval_count", tokens))) + "\n").getBytes();
        byte[] answer = Json.bytes(Map.of("model", "bench", "message", Map.of("role", "assistant", "content", whole.toString()),
                "done", true, "done_reason", "stop", "prompt_eval_count", 20, "eval_count", tokens));
        DaemonServer.builder("fakeollama", EnvConfig.of(Map.of("LAKEHOUSE_FAKEOLLAMA_PORT", Integer.toString(port))), port)
                .embedded()
                .routing(r -> r.post("/api/chat", (req, res) -> {
                    var body = Json.mapper().readTree(req.content().inputStream());
                    if (!body.path("stream").asBoolean(false)) {
                        Json.sendBytes(res, 200, answer);
                        return;
                    }
                    res.header("Content-Type", "application/x-ndjson");
                    try (var out = res.outputStream()) {
                        for (byte[] line : lines) {
                            out.write(line);
                            out.flush();
                        }
                    }
                }))
                .start();
        Thread.currentThread().join();
    }
}
