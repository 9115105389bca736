/*
 * Helpers for scripts/bench/embed.sh (a single-file Java program, run with embedd's jar and libs):
 *
 *   fake-ollama <port> <dims>          serve Ollama's POST /api/embed with fixed vectors of <dims>
 *   local-inproc <seconds> <batch>     sentences/s of the local model called in-process, no HTTP
 * (the same model over HTTP is measured by wrk with local.lua)
 */
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

public class EmbedBench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "fake-ollama" -> fakeOllama(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "local-inproc" -> localInProcess(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void fakeOllama(int port, int dims) throws Exception {
        float[] vector = new float[dims];
        for (int i = 0; i < dims; i++) {
            vector[i] = (float) Math.sin(i + 1) / 20f;
        }
        DaemonServer.builder("fakeollama", EnvConfig.of(Map.of("LAKEHOUSE_FAKEOLLAMA_PORT", Integer.toString(port))), port)
                .embedded()
                .routing(r -> r.post("/api/embed", (req, res) -> {
                    var body = Json.mapper().readTree(req.content().inputStream());
                    int n = body.path("input").isArray() ? body.path("input").size() : 1;
                    List<float[]> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(vector);
                    }
                    Json.send(res, 200, Map.of("model", body.path("model").asText(), "embeddings", out));
                }))
                .start();
        Thread.currentThread().join();
    }

    static String sentence(int i) {
        return "Candidate " + i + " has " + (i % 17) + " years as a forklift operator near Columbus, shift " + (i % 3);
    }

    /** Sentences/s of the model in-process, no HTTP: 2 caller threads, 5 s warm-up with the same batch size, then {@code seconds}. */
    static void localInProcess(int seconds, int batch) throws Exception {
        var model = new AllMiniLmL6V2QuantizedEmbeddingModel(Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors()));
        model.embed("warm up");
        run(model, batch, 5);
        long done = run(model, batch, seconds);
        System.out.printf("local model in-process, batch %d, 2 caller threads: %.0f sentences/s%n", batch, done / (double) seconds);
        System.exit(0);
    }

    static long run(AllMiniLmL6V2QuantizedEmbeddingModel model, int batch, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        java.util.concurrent.atomic.AtomicLong sentences = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(2)) {
            for (int t = 0; t < 2; t++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        List<TextSegment> texts = new ArrayList<>();
                        for (int i = 0; i < batch; i++) {
                            texts.add(TextSegment.from(sentence(next.incrementAndGet())));
                        }
                        model.embedAll(texts);
                        sentences.addAndGet(batch);
                    }
                    return null;
                });
            }
        }
        return sentences.get();
    }
}
