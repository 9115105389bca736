package dev.lakehouse.vectord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.ConfigException;
import dev.lakehouse.vectord.store.LocalSnapshotStore;
import dev.lakehouse.vectord.store.S3SnapshotStore;
import dev.lakehouse.vectord.store.SnapshotStore;

/** vectord (4217): durable HNSW vector indexes. See docs/vectord.md. */
public final class VectordMain {
    private static final Logger LOG = Logger.getLogger(VectordMain.class.getName());

    private VectordMain() {
    }

    /** {@code VECTORD_STORE}: {@code local} (default, under the data dir) or {@code s3} (docs/vectord.md). */
    static SnapshotStore store(EnvConfig env, java.nio.file.Path dataDir) throws IOException {
        return switch (env.string("VECTORD_STORE", "local")) {
            case "local" -> new LocalSnapshotStore(dataDir.resolve("snapshots"));
            case "s3" -> S3SnapshotStore.create(
                    env.get("VECTORD_S3_ENDPOINT").map(u -> env.url("VECTORD_S3_ENDPOINT", null)).orElse(null),
                    env.string("VECTORD_S3_REGION", "us-east-1"),
                    env.get("VECTORD_S3_BUCKET").orElseThrow(() -> new ConfigException("VECTORD_STORE=s3 needs VECTORD_S3_BUCKET")),
                    env.string("VECTORD_S3_PREFIX", ""),
                    env.secret("VECTORD_S3_ACCESS_KEY").orElse(null),
                    env.secret("VECTORD_S3_SECRET_KEY").orElse(null));
            default -> throw new ConfigException("VECTORD_STORE=" + env.string("VECTORD_STORE", "") + " is not valid: expected local or s3");
        };
    }

    /** No periodic snapshot after this returns; one under way finishes (the registry's close would wait for it anyway). */
    private static void stopTimer(java.util.concurrent.ScheduledExecutorService timer) {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warning("a periodic snapshot is still running after 30 s; the final snapshot waits for it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws IOException {
        EnvConfig env = EnvConfig.fromEnvironment();
        DaemonServer.Builder builder = DaemonServer.builder("vectord", env, DaemonId.VECTORD.defaultPort())
                .maxBodyBytes(64L << 20);
        var dataDir = builder.dataDir();
        IndexRegistry registry = new IndexRegistry(dataDir, store(env, dataDir), builder.metrics().registry());
        Duration every = env.duration("VECTORD_SNAPSHOT_INTERVAL", Duration.ofMinutes(5));
        var timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("snapshots").daemon(true).factory());
        builder.routing(r -> r.register("/v1/indexes", new VectordRoutes(registry, builder.metrics().registry())))
                .readiness("indexes", registry::readiness)
                .onStop("indexes", registry::close)
                .onStop("snapshot timer", () -> stopTimer(timer))   // runs first: hooks run last-added first
                .start();
        try {
            registry.load();
        } catch (UncheckedIOException e) {
            LOG.log(Level.SEVERE, "indexes could not be loaded", e);
            throw e;
        }
        if (!every.isZero()) {
            timer.scheduleWithFixedDelay(() -> {
                try {
                    registry.snapshotChanged();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "periodic snapshot failed", e);
                }
            }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
