package dev.lakehouse.vectord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.vectord.store.LocalSnapshotStore;
import dev.lakehouse.vectord.store.S3SnapshotStore;
import dev.lakehouse.vectord.store.SnapshotStore;

/** vectord (4217): durable HNSW vector indexes. See docs/vectord.md. */
public final class VectordMain {
    private static final Logger LOG = Logger.getLogger(VectordMain.class.getName());

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
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("snapshots").daemon(true).factory());
        return builder.routing(r -> r.register("/v1/indexes", new VectordRoutes(registry)))
                .readiness("indexes", registry::readiness)
                .onStop("indexes", registry::close)
                .onStop("snapshot timer", () -> stopTimer(timer))   // runs first: hooks run last-added first
                .afterStart("indexes", registry::load)
                .afterStart("snapshot timer", () -> schedule(timer, registry, config));
    }

    static SnapshotStore store(VectordConfig config, Path dataDir) throws IOException {
        return switch (config.store()) {
            case LOCAL -> new LocalSnapshotStore(dataDir.resolve("snapshots"));
            case S3 -> S3SnapshotStore.create(config.s3().endpoint(), config.s3().region(), config.s3().bucket(),
                    config.s3().prefix(), config.s3().accessKey(), config.s3().secretKey());
        };
    }

    private static void schedule(ScheduledExecutorService timer, IndexRegistry registry, VectordConfig config) {
        long every = config.snapshotInterval().toMillis();
        if (every == 0) {
            return;
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                registry.snapshotChanged();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "periodic snapshot failed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** No periodic snapshot after this returns; one under way finishes (the registry's close would wait for it anyway). */
    private static void stopTimer(ScheduledExecutorService timer) {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warning("a periodic snapshot is still running after 30 s; the final snapshot waits for it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
