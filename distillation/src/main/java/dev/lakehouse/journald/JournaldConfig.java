package dev.lakehouse.journald;

import dev.lakehouse.common.EnvConfig;

/**
 * journald's settings, each from its environment variable (docs/journal.md).
 *
 * @param segmentBytes {@code JOURNALD_SEGMENT_BYTES}, default 64 MiB: a segment file is closed and a new one begun past this
 */
record JournaldConfig(long segmentBytes) {
    /** Default body limit: an entry is small (the operator's {@code JOURNALD_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 1L << 20;

    static JournaldConfig from(EnvConfig env) {
        return new JournaldConfig(env.bytes("JOURNALD_SEGMENT_BYTES", 64L << 20));
    }
}
