package dev.lakehouse.truthd;

import java.nio.file.Path;
import java.time.Duration;

import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.truthd.Policy;

/**
 * truthd's settings, each from its environment variable (docs/truthd.md).
 *
 * @param policy        {@code TRUTHD_POLICY}: the resolution policy file; the built-in one when unset. A file that
 *                      does not parse stops the start, naming where
 * @param maxSkew       {@code TRUTHD_MAX_SKEW}, default 5m: how far in the future an {@code observed_at} may be
 * @param trustInterval {@code TRUTHD_TRUST_INTERVAL}, default 30s: how often the sources' trust is estimated again
 *                      when claims arrived
 */
record TruthdConfig(Policy policy, Duration maxSkew, Duration trustInterval) {
    /** Default body limit: 1,000 claims of up to 16 KB of value each. */
    static final long MAX_BODY_BYTES = 20L << 20;

    static TruthdConfig from(EnvConfig env) {
        String file = env.string("TRUTHD_POLICY", null);
        return new TruthdConfig(file == null ? Policy.builtIn() : Policy.load(Path.of(file)),
                env.duration("TRUTHD_MAX_SKEW", Duration.ofMinutes(5)), env.duration("TRUTHD_TRUST_INTERVAL", Duration.ofSeconds(30)));
    }
}
