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
        EmbeddConfig config = EmbeddConfig.from(env);
        DaemonServer.Builder builder = DaemonServer.builder("embedd", env, DaemonId.EMBEDD.defaultPort())
                .maxBodyBytes(16L << 20);
        LocalProvider local = config.localModel() ? new LocalProvider(config.localThreads(), config.localQueue()) : null;
        OllamaProvider ollama = config.ollamaUrl().map(u -> new OllamaProvider(u, config.ollamaTimeout())).orElse(null);
        Embedder embedder = new Embedder(config, local, ollama, builder.metrics().registry());
        builder.routing(r -> r.register("/v1", new EmbedRoutes(embedder)))
                .readiness("local_model", local == null ? () -> Readiness.up() : local::readiness)
                .start();
        Embedder.quietCacheLoadWarnings();
        if (local != null) {
            local.load(builder.dataDir());
        }
    }
}
