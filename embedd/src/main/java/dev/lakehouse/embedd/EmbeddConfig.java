package dev.lakehouse.embedd;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import dev.lakehouse.common.EnvConfig;

/**
 * embedd's settings, each from its environment variable (docs/embedd.md).
 *
 * @param defaultModel     {@code EMBEDD_DEFAULT_MODEL}, default {@code all-minilm-l6-v2}
 * @param ollamaUrl        {@code EMBEDD_OLLAMA_URL}, default http://127.0.0.1:11434; {@code off} disables Ollama
 * @param ollamaTimeout    {@code EMBEDD_OLLAMA_TIMEOUT}, default 30s
 * @param localModel       {@code EMBEDD_LOCAL_MODEL}, default true: load the in-process all-MiniLM-L6-v2
 * @param localThreads     {@code EMBEDD_LOCAL_THREADS}, default the number of cores: threads running the local model
 * @param localQueue       {@code EMBEDD_LOCAL_QUEUE}, default 64: requests that may wait for the local model before 503
 * @param cacheMaxBytes    {@code EMBEDD_CACHE_MAX_BYTES}, default 256 MiB
 * @param cacheTtl         {@code EMBEDD_CACHE_TTL}, default 0 (no expiry)
 * @param maxInputs        {@code EMBEDD_MAX_INPUTS}, default 256 inputs per request
 * @param maxInputChars    {@code EMBEDD_MAX_INPUT_CHARS}, default 32768 characters per input
 */
public record EmbeddConfig(String defaultModel, Optional<URI> ollamaUrl, Duration ollamaTimeout, boolean localModel,
                           int localThreads, int localQueue, long cacheMaxBytes, Duration cacheTtl, int maxInputs,
                           int maxInputChars) {
    /** Default body limit: 256 inputs of 32k characters (the operator's {@code EMBEDD_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 16L << 20;


    public static EmbeddConfig from(EnvConfig env) {
        Optional<URI> ollama = "off".equalsIgnoreCase(env.string("EMBEDD_OLLAMA_URL", ""))
                ? Optional.empty()
                : Optional.of(env.url("EMBEDD_OLLAMA_URL", URI.create("http://127.0.0.1:11434")));
        int cores = Runtime.getRuntime().availableProcessors();
        return new EmbeddConfig(
                env.string("EMBEDD_DEFAULT_MODEL", LocalProvider.MODEL),
                ollama,
                env.duration("EMBEDD_OLLAMA_TIMEOUT", Duration.ofSeconds(30)),
                env.bool("EMBEDD_LOCAL_MODEL", true),
                env.integer("EMBEDD_LOCAL_THREADS", cores, 1, 256),
                env.integer("EMBEDD_LOCAL_QUEUE", 64, 1, 100_000),
                env.bytes("EMBEDD_CACHE_MAX_BYTES", 256L << 20),
                env.duration("EMBEDD_CACHE_TTL", Duration.ZERO),
                env.integer("EMBEDD_MAX_INPUTS", 256, 1, 100_000),
                env.integer("EMBEDD_MAX_INPUT_CHARS", 32_768, 1, 10_000_000));
    }
}
