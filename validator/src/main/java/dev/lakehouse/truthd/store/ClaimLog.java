package dev.lakehouse.truthd.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import dev.lakehouse.common.JsonLog;
import dev.lakehouse.truthd.Claim;

/**
 * truthd's append-only log, {@code <data>/claims.jsonl}: one line per accepted
 * request, {@code {"seq":4,"at":"…","claims":[…]}}, so a batch of claims is on disk
 * whole or not at all ({@link JsonLog}: fsync per group, torn tail cut at load, any
 * other damage stops the start).
 */
public final class ClaimLog {
    private ClaimLog() {
    }

    /** One accepted request: its sequence number, when, and its new claims. */
    public record Entry(long seq, Instant at, List<Claim> claims) {
    }

    public static JsonLog<Entry> open(Path dataDir) {
        return new JsonLog<>(dataDir.resolve("claims.jsonl"), Entry.class);
    }
}
