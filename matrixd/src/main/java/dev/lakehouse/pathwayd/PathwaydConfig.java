package dev.lakehouse.pathwayd;

import java.time.Duration;
import java.util.regex.Pattern;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.EnvConfig;

/**
 * pathwayd's settings, each from its environment variable (docs/pathwayd.md).
 *
 * @param index         {@code PATHWAYD_INDEX}, default {@code memories}: the vectord index of current versions that
 *                      pathwayd owns ({@code <index>_history} holds every version); vectord is {@code LAKEHOUSE_VECTORD_URL}
 * @param indexWait     {@code PATHWAYD_INDEX_WAIT}, default 2s: how long a write waits for search to see it before it
 *                      answers {@code "indexed":false} (the write is durable either way)
 * @param embedTimeout  {@code PATHWAYD_EMBED_TIMEOUT}, default 30s: one embedd call
 * @param searchTimeout {@code PATHWAYD_SEARCH_TIMEOUT}, default 2s: one vectord call
 */
record PathwaydConfig(String index, Duration indexWait, Duration embedTimeout, Duration searchTimeout) {
    /** Default body limit: a memory is at most 32,000 characters of text plus its metadata. */
    static final long MAX_BODY_BYTES = 1L << 20;
    private static final Pattern INDEX = Pattern.compile("[a-z0-9_-]{1,56}");

    static PathwaydConfig from(EnvConfig env) {
        String index = env.string("PATHWAYD_INDEX", "memories");
        if (!INDEX.matcher(index).matches()) {
            throw new ConfigException("PATHWAYD_INDEX must be 1-56 of a-z, 0-9, '_' and '-', got '" + index + "'");
        }
        return new PathwaydConfig(index, env.duration("PATHWAYD_INDEX_WAIT", Duration.ofSeconds(2)),
                env.duration("PATHWAYD_EMBED_TIMEOUT", Duration.ofSeconds(30)),
                env.duration("PATHWAYD_SEARCH_TIMEOUT", Duration.ofSeconds(2)));
    }
}
