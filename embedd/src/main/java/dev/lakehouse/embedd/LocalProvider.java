package dev.lakehouse.embedd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Readiness;

/**
 * all-MiniLM-L6-v2 (quantized, 384 dims) running in-process through ONNX
 * Runtime, from the Maven artifact that ships the model inside its jar: no
 * network, no Ollama. Its vectors are L2-normalised (mean pooling, then normalised).
 *
 * <p>Concurrency is bounded twice: the model runs on {@code threads} platform
 * threads (langchain4j spreads a batch over them), and at most {@code queue}
 * requests may wait for it — beyond that a request gets 503 {@code local_model_busy}
 * at once, so a burst cannot pile up behind the CPU and starve the server.
 */
final class LocalProvider implements Provider {
    static final String MODEL = "all-minilm-l6-v2";
    static final int DIMS = 384;
    private static final Logger LOG = Logger.getLogger(LocalProvider.class.getName());
    /**
     * DJL says at INFO which jar its native platform came from (a server path, issue 31): its lines below WARNING are
     * left out, set when the model loads (after the daemon's log set-up, which resets levels). Held here:
     * java.util.logging keeps loggers weakly, and a level set on a collected one is lost.
     */
    private static final Logger DJL = Logger.getLogger("ai.djl");

    private final ExecutorService threads;
    private final Semaphore admission;
    private volatile AllMiniLmL6V2QuantizedEmbeddingModel model;
    private volatile String loadError;

    LocalProvider(int threads, int queue) {
        this.threads = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("local-model-", 0).daemon(true).factory());
        this.admission = new Semaphore(threads + queue);
    }

    /** Loads the model (about a second); its native libraries unpack under {@code cacheDir}. */
    void load(Path cacheDir) {
        DJL.setLevel(java.util.logging.Level.WARNING);
        try {
            System.setProperty("DJL_CACHE_DIR", cacheDir.resolve("djl").toString());
            System.setProperty("ENGINE_CACHE_DIR", cacheDir.resolve("djl").toString());
            long start = System.nanoTime();
            AllMiniLmL6V2QuantizedEmbeddingModel m = new AllMiniLmL6V2QuantizedEmbeddingModel(threads);
            m.embed("warm up");
            model = m;
            LOG.info("local model " + MODEL + " loaded in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (RuntimeException | LinkageError e) {
            loadError = e.toString();
            LOG.log(java.util.logging.Level.SEVERE, "local model " + MODEL + " failed to load", e);
        }
    }

    Readiness readiness() {
        if (model != null) {
            return Readiness.up();
        }
        return Readiness.down(loadError == null ? "loading" : "failed: " + loadError);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<float[]> embed(String modelName, List<String> texts) {
        AllMiniLmL6V2QuantizedEmbeddingModel m = model;
        if (m == null) {
            throw new ApiException.Unavailable("local_model_unavailable", loadError == null
                    ? "the local model " + MODEL + " is still loading" : "the local model " + MODEL + " failed to load: " + loadError);
        }
        boolean admitted;
        try {
            admitted = admission.tryAcquire(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable("interrupted", "interrupted while waiting for the local model");
        }
        if (!admitted) {
            throw new ApiException.Unavailable(null, "local_model_busy", "the local model has too many requests waiting; retry shortly",
                    java.util.Map.of("Retry-After", "1"), null);
        }
        try {
            if (texts.size() == 1) {
                // langchain4j runs a single text on the calling thread; here that is a virtual
                // thread, and a 3 ms native (ONNX) call would pin one of the few carrier threads
                // the whole server shares. Run it on the model's platform threads instead.
                String text = texts.get(0);
                return List.of(CompletableFuture.supplyAsync(() -> m.embed(text).content().vector(), threads).join());
            }
            List<TextSegment> segments = new ArrayList<>(texts.size());
            texts.forEach(t -> segments.add(TextSegment.from(t)));
            List<Embedding> out = m.embedAll(segments).content();   // spread over the platform threads; we wait
            List<float[]> vectors = new ArrayList<>(out.size());
            out.forEach(e -> vectors.add(e.vector()));
            return vectors;
        } finally {
            admission.release();
        }
    }
}
