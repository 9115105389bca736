package dev.lakehouse.matrixd;

import java.time.Duration;

import dev.lakehouse.common.EnvConfig;

/**
 * matrixd's settings, each from its environment variable (docs/matrixd.md).
 *
 * @param searchTimeout {@code MATRIXD_SEARCH_TIMEOUT}, default 2s: every corpus of a retrieve must answer within it, or
 *                      the answer is partial without it
 * @param embedTimeout  {@code MATRIXD_EMBED_TIMEOUT}, default 30s: one embedd call (a query, or a batch of 32 chunks)
 * @param writeTimeout  {@code MATRIXD_WRITE_TIMEOUT}, default 60s: one upsert of a batch of chunks into vectord
 * @param chunkChars    {@code MATRIXD_CHUNK_CHARS}, default 800: the longest chunk, in characters
 * @param chunkOverlap  {@code MATRIXD_CHUNK_OVERLAP}, default 100: characters a chunk repeats of the one before
 * @param roleLlm        {@code MATRIXD_ROLE_LLM}, default true: ask chatd for a query's role when the dictionary finds none
 * @param roleLlmTimeout {@code MATRIXD_ROLE_LLM_TIMEOUT}, default 5s: that question's deadline (then the role is unknown)
 * @param vectords       {@code MATRIXD_VECTORD_URLS}, default {@code LAKEHOUSE_VECTORD_URL}: the vectords a corpus may name
 *                       (comma-separated http(s) URLs); matrixd calls no other, so a registration cannot make it fetch
 *                       an arbitrary address, nor hand the internal token to one
 */
record MatrixdConfig(Duration searchTimeout, Duration embedTimeout, Duration writeTimeout, int chunkChars, int chunkOverlap,
                     boolean roleLlm, Duration roleLlmTimeout, dev.lakehouse.matrixd.client.VectordAllowlist vectords) {
    /** Default body limit: an ingest of up to 1,000 documents (the operator's {@code MATRIXD_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 32L << 20;

    static MatrixdConfig from(EnvConfig env) {
        int chunk = env.integer("MATRIXD_CHUNK_CHARS", 800, 50, 100_000);
        return new MatrixdConfig(env.duration("MATRIXD_SEARCH_TIMEOUT", Duration.ofSeconds(2)),
                env.duration("MATRIXD_EMBED_TIMEOUT", Duration.ofSeconds(30)),
                env.duration("MATRIXD_WRITE_TIMEOUT", Duration.ofSeconds(60)),
                chunk, env.integer("MATRIXD_CHUNK_OVERLAP", 100, 0, chunk / 2 - 1),
                env.bool("MATRIXD_ROLE_LLM", true), env.duration("MATRIXD_ROLE_LLM_TIMEOUT", Duration.ofSeconds(5)),
                dev.lakehouse.matrixd.client.VectordAllowlist.parse("MATRIXD_VECTORD_URLS",
                        env.get("MATRIXD_VECTORD_URLS").orElse(env.peerUrl(dev.lakehouse.common.DaemonId.VECTORD).toString())));
    }
}
