package dev.lakehouse.observerd;

import dev.lakehouse.common.EnvConfig;

/**
 * observerd's settings (docs/observer.md). It has none of its own today beyond the kit's
 * (port, data directory, {@code OBSERVERD_MAX_BODY_BYTES}); the record is here so that
 * observerd has the shape every daemon has, and a setting has one place to go.
 */
record ObserverdConfig() {
    /** Default body limit: a batch of events (the operator's {@code OBSERVERD_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 16L << 20;

    static ObserverdConfig from(EnvConfig env) {
        return new ObserverdConfig();
    }
}
