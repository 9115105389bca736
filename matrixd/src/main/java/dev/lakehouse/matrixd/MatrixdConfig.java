package dev.lakehouse.matrixd;

import java.time.Duration;

import dev.lakehouse.common.EnvConfig;

/**
 * matrixd's settings, each from its environment variable (docs/matrixd.md).
 *
 * @param searchTimeout {@code MATRIXD_SEARCH_TIMEOUT}, default 2s: every corpus of a retrieve must answer within it, or
 *                      the answer is partial without it
 * @param embedTimeout  {@code MATRIXD_EMBED_TIMEOUT}, default 10s: embedding the query through embedd
 */
record MatrixdConfig(Duration searchTimeout, Duration embedTimeout) {
    /** Default body limit: registrations and queries are small (the operator's {@code MATRIXD_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 1L << 20;

    static MatrixdConfig from(EnvConfig env) {
        return new MatrixdConfig(env.duration("MATRIXD_SEARCH_TIMEOUT", Duration.ofSeconds(2)),
                env.duration("MATRIXD_EMBED_TIMEOUT", Duration.ofSeconds(10)));
    }
}
