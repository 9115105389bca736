package dev.lakehouse.pathwayd.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import dev.lakehouse.common.JsonLog;
import dev.lakehouse.pathwayd.Version;

/**
 * pathwayd's append-only log, {@code <data>/memories/versions.jsonl}: one line per
 * write, {@code {"seq":17,"at":"…","versions":[…]}}, holding every version that write
 * made (a supersede makes several), so a write is on disk whole or not at all
 * ({@link JsonLog}: fsync per group, torn tail cut at load, other damage stops the start).
 */
public final class VersionLog {
    private VersionLog() {
    }

    /** One write: its sequence number, when it was made, and the versions it made. */
    public record Entry(long seq, Instant at, List<Version> versions) {
    }

    public static JsonLog<Entry> open(Path dir) {
        return new JsonLog<>(dir.resolve("versions.jsonl"), Entry.class);
    }
}
