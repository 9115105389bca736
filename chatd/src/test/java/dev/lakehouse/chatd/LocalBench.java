package dev.lakehouse.chatd;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;
import dev.lakehouse.common.Json;

/**
 * The figures of {@code scripts/bench/local-chat.sh}: time to first token and tokens per
 * second of the same conversation, through the binding in this process (the baseline)
 * or through chatd over HTTP (streamed, as callers get it). Prints one line per run.
 * <pre>
 * java -cp … dev.lakehouse.chatd.LocalBench write  OUT.gguf            # a random model of SmolLM2-135M's shape (F16)
 * java -cp … dev.lakehouse.chatd.LocalBench direct MODEL.gguf RUNS TOKENS THREADS CONTEXT
 * java -cp … dev.lakehouse.chatd.LocalBench http   CHATD_URL  RUNS TOKENS
 * </pre>
 */
public final class LocalBench {
    static final String SYSTEM = "You are a staffing assistant. Be brief.";
    static final String USER = "Write a short note confirming the Monday forklift shift at the Columbus warehouse.";

    private LocalBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "write" -> {
                Path out = TinyGguf.write(Path.of(args[1]), TinyGguf.Shape.SMOLLM2_135M, 135, true);
                System.out.println("wrote " + out + ": " + java.nio.file.Files.size(out) / (1 << 20) + " MiB");
            }
            case "tiny" -> {   // the tests' 600 KB model, for a test outside this module (ImagesIT runs chatd's image with it)
                Path out = TinyGguf.write(Path.of(args[1]), TinyGguf.Shape.TINY, 7, false);
                System.out.println("wrote " + out + ": " + java.nio.file.Files.size(out) + " bytes");
            }
            case "direct" -> direct(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            case "http" -> http(URI.create(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("write | tiny | direct | http");
        }
        // the binding's native server thread is attached to the JVM as a non-daemon thread and outlives close():
        // without an exit the JVM would wait for it forever
        System.exit(0);
    }

    static void direct(Path model, int runs, int tokens, int threads, int context) {
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        try (LlamaModel m = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(context).setParallel(1)
                .setThreads(threads).setThreadsBatch(threads).setGpuLayers(0).disableContextShift())) {
            for (int r = 0; r < runs; r++) {
                long start = System.nanoTime();
                // as a caller of the binding would: the chat template applied, then generated from
                String prompt = m.applyTemplate(new InferenceParameters("").setMessages(SYSTEM, List.of(new Pair<>("user", USER))));
                long templated = System.nanoTime();
                int promptTokens = m.encode(prompt).length;   // what chatd adds: the prompt's tokens, for the context and usage
                System.out.println(String.format(Locale.ROOT, "direct run %d: template %.1f ms, encode %.1f ms (%d tokens)", r,
                        (templated - start) / 1e6, (System.nanoTime() - templated) / 1e6, promptTokens));
                start = System.nanoTime() - (templated - start);
                long first = 0;
                int n = 0;
                for (LlamaOutput o : m.generate(new InferenceParameters(prompt).setNPredict(tokens)
                        .setCachePrompt(true).setSeed(r))) {
                    if (first == 0 && !o.text.isEmpty()) {
                        first = System.nanoTime();
                    }
                    n++;
                }
                line("direct", r, start, first, System.nanoTime(), n);
            }
        }
    }

    static void http(URI chatd, int runs, int tokens) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = Json.mapper().writeValueAsString(java.util.Map.of("provider", "local", "model", "bench", "max_tokens", tokens,
                "stream", true, "messages", List.of(java.util.Map.of("role", "system", "content", SYSTEM),
                        java.util.Map.of("role", "user", "content", USER))));
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            long first = 0;
            long end = 0;
            int n = 0;
            HttpResponse<java.io.InputStream> res = client.send(HttpRequest.newBuilder(chatd.resolve("/v1/chat"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("chatd answered " + res.statusCode() + ": " + new String(res.body().readAllBytes()));
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    if (l.startsWith("event: ")) {
                        event = l.substring(7);
                    } else if (l.startsWith("data: ") && "delta".equals(event) && first == 0) {
                        first = System.nanoTime();
                    } else if (l.startsWith("data: ") && "done".equals(event)) {
                        end = System.nanoTime();
                        JsonNode done = Json.mapper().readTree(l.substring(6));
                        n = done.path("usage").path("completion_tokens").asInt();
                    }
                }
            }
            line("http", r, start, first, end, n);
        }
    }

    static void line(String how, int run, long start, long first, long end, int tokens) {
        double ttft = (first - start) / 1e6;
        double rate = tokens <= 1 ? 0 : (tokens - 1) / ((end - first) / 1e9);
        System.out.println(String.format(Locale.ROOT, "%s run %d: ttft %.1f ms, %d tokens, %.1f tokens/s", how, run, ttft, tokens, rate));
    }
}
