package dev.lakehouse.vectord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.vectord.store.LocalSnapshotStore;
import dev.lakehouse.vectord.store.S3SnapshotStore;
import dev.lakehouse.vectord.store.SnapshotStore;

/** vectord (4217): durable HNSW vector indexes. See docs/vectord.md. */
public final class VectordMain {
    private VectordMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(VectordConfig.from(env), env).start();
    }

    /** vectord, wired; its indexes load after the server starts (/ready says "loading indexes" until then). */
    static DaemonServer.Builder builder(VectordConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.VECTORD, env).maxBodyBytes(VectordConfig.MAX_BODY_BYTES);
        IndexRegistry registry;
        try {
            registry = new IndexRegistry(builder.dataDir(), store(config, builder.dataDir()), builder.metrics().registry());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open vectord's data directory " + builder.dataDir(), e);
        }
        return builder.routing(r -> r.register("/v1/indexes", new VectordRoutes(registry)))
                .erasures("/v1/indexes/erasures", e -> registry.erase(e.subject()))
                .readiness("indexes", registry::readiness)
                .onStop("indexes", registry::close)   // stops its snapshot timer, then the last snapshots
                .afterStart("indexes", () -> {
                    registry.load();
                    registry.snapshotEvery(config.snapshotInterval());
                });
    }

    static SnapshotStore store(VectordConfig config, Path dataDir) throws IOException {
        return switch (config.store()) {
            case LOCAL -> new LocalSnapshotStore(dataDir.resolve("snapshots"));
            case S3 -> S3SnapshotStore.create(config.s3().endpoint(), config.s3().region(), config.s3().bucket(),
                    config.s3().prefix(), config.s3().accessKey(), config.s3().secretKey());
        };
    }
}
