package dev.lakehouse.embedd;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Readiness;

/** embedd (4216): embeddings through a Caffeine cache, from the in-process model or Ollama. See docs/embedd.md. */
public final class EmbeddMain {

    private EmbeddMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(EmbeddConfig.from(env), env).start();
    }

    /** embedd, wired; the local model loads beside the server's start (/ready is 503 until it is loaded). */
    static DaemonServer.Builder builder(EmbeddConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.EMBEDD, env).maxBodyBytes(EmbeddConfig.MAX_BODY_BYTES);
        LocalProvider local = config.localModel() ? new LocalProvider(config.localThreads(), config.localQueue()) : null;
        OllamaProvider ollama = config.ollamaUrl().map(u -> new OllamaProvider(u, config.ollamaTimeout())).orElse(null);
        Embedder embedder = new Embedder(config, local, ollama, builder.metrics().registry());
        builder.routing(r -> r.register("/v1", new EmbeddRoutes(embedder)))
                .erasures("/v1/embed/erasures", e -> java.util.Map.of("cache_entries_removed", embedder.erase(e.subject())))
                .readiness("local_model", local == null ? Readiness::up : local::readiness)
                .afterStart("cache warnings", Embedder::quietCacheLoadWarnings);
        if (local != null) {
            builder.inBackground("local model", () -> local.load(builder.dataDir()));
        }
        return builder;
    }
}
