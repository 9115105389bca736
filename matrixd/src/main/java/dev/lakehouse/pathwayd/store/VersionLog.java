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
 * A purge appends its entry, then rewrites the log without the memory's versions
 * (atomically); a crash between the two is finished at the next load.
 */
public final class VersionLog {
    private VersionLog() {
    }

    /**
     * One write: its sequence number, when it was made, and the versions it made; or a purge, which makes no version and
     * says which memory's versions were removed from the log (never their text).
     */
    public record Entry(long seq, Instant at, List<Version> versions, Purge purged) {
        public Entry(long seq, Instant at, List<Version> versions) {
            this(seq, at, versions, null);
        }
    }

    /** A hard delete: the memory whose versions the log no longer holds, how many there were, and why. */
    public record Purge(String id, int versions, String reason) {
    }

    public static JsonLog<Entry> open(Path dir) {
        return new JsonLog<>(dir.resolve("versions.jsonl"), Entry.class);
    }
}
