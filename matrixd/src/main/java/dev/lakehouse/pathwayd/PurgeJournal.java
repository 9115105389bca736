package dev.lakehouse.pathwayd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.common.Periodic;
import dev.lakehouse.pathwayd.store.VersionLog;

/**
 * Tells journald about every purge, in log order, without its text or reason: {@code memory.purge} with the memory id,
 * how many versions went and the purge's log sequence. The purge entries in pathwayd's own log are the outbox: what
 * journald has taken is remembered in {@code <data>/purge-journal.json} (written atomically), so a purge made while
 * journald is down, or before a {@code kill -9}, is journaled when journald answers (at least once: a crash between
 * journald's answer and the file's write journals it again, with the same {@code log_seq}).
 */
final class PurgeJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PurgeJournal.class.getName());
    static final Duration EVERY = Duration.ofSeconds(2);

    private final PeerClient journald;
    private final Path state;
    private final ConcurrentSkipListMap<Long, VersionLog.Entry> pending = new ConcurrentSkipListMap<>();
    private volatile long journaled;
    private final Periodic drainer;

    PurgeJournal(Path dataDir, PeerClient journald, Memories memories) {
        this.journald = journald;
        this.state = dataDir.resolve("purge-journal.json");
        this.journaled = read();
        memories.listen(this::queue);
        this.drainer = Periodic.every("pathwayd-purge-journal", EVERY, this::drain);
    }

    /** Purges journald has not taken yet. */
    long pending() {
        return pending.size();
    }

    private void queue(VersionLog.Entry e) {
        if (e.purged() != null && e.seq() > journaled) {
            pending.put(e.seq(), e);
        }
    }

    /** Posts the pending purges in order; stops at the first journald refuses (tried again in {@link #EVERY}). */
    synchronized void drain() {
        for (VersionLog.Entry e : pending.values()) {
            ObjectNode entry = Json.mapper().createObjectNode().put("type", "memory.purge").put("actor", "pathwayd")
                    .put("subject", "memory:" + e.purged().id());
            entry.putObject("data").put("versions", e.purged().versions()).put("log_seq", e.seq()).put("purged_at", e.at().toString());
            try {
                journald.post("/v1/journal/entries", entry, ObjectNode.class, false);
                AtomicFile.write(state, ("{\"seq\":" + e.seq() + "}\n").getBytes(StandardCharsets.UTF_8));
            } catch (ApiException | IOException down) {
                LOG.fine("journald did not take the purge of log entry " + e.seq() + " (" + down.getMessage() + "); again in "
                        + EVERY.toSeconds() + " s");
                return;
            }
            journaled = e.seq();
            pending.remove(e.seq());
        }
    }

    private long read() {
        try {
            AtomicFile.cleanUp(state);
            return Files.exists(state) ? Json.mapper().readTree(Files.readAllBytes(state)).path("seq").asLong(0) : 0;
        } catch (IOException e) {
            LOG.warning(state + " is unreadable (" + e.getMessage() + "); every purge in the log is journaled again");
            return 0;
        }
    }

    @Override
    public void close() {
        drainer.close(Duration.ofSeconds(1));
    }
}
