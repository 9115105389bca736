package dev.lakehouse.distilld;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import dev.lakehouse.common.EnvConfig;

/**
 * distilld's settings, each from its environment variable (docs/distilld.md).
 *
 * @param observations {@code DISTILLD_OBSERVATIONS}, default {@code $LAKEHOUSE_DATA_DIR/observerd/events}: observerd's day files
 * @param threads      {@code DISTILLD_THREADS}, default the cores: threads that score (the output does not depend on it)
 * @param flagged      {@code DISTILLD_FLAGGED_PROVIDERS}, default none: providers whose outputs never become SFT data
 * @param replayTimeout {@code DISTILLD_REPLAY_TIMEOUT_MS}, default 120000: how long a replayed chat call may take
 * @param roster       {@code LAKEHOUSE_ROSTER}, default {@code workers.parquet} in {@code LAKEHOUSE_DATA_DIR}: the roster whose
 *                     workers' phones and e-mails every export masks (docs/privacy.md); read at each run's start
 */
record DistilldConfig(Path observations, int threads, Set<String> flagged, java.time.Duration replayTimeout, Path roster) {
    /** Default body limit: a run, audit or review request (the operator's {@code DISTILLD_MAX_BODY_BYTES} overrides it) */
    static final long MAX_BODY_BYTES = dev.lakehouse.common.DaemonServer.DEFAULT_MAX_BODY_BYTES;

    static DistilldConfig from(EnvConfig env) {
        return new DistilldConfig(env.path("DISTILLD_OBSERVATIONS", env.dataDir("observerd").resolve("events")),
                env.integer("DISTILLD_THREADS", Runtime.getRuntime().availableProcessors(), 1, 64),
                Arrays.stream(env.string("DISTILLD_FLAGGED_PROVIDERS", "").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet()),
                java.time.Duration.ofMillis(env.integer("DISTILLD_REPLAY_TIMEOUT_MS", 120_000, 100, 3_600_000)),
                env.roster());
    }
}
