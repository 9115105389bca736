package dev.lakehouse.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Periodic;
import dev.lakehouse.common.PeerClient;

/**
 * Where changes of the cutover table are journaled (docs/cutover.md, "No gaps"): {@link #record} posts the entry to
 * journald and returns its sequence number; when journald cannot take it the change is refused (503
 * {@code journal_unavailable}) unless forced — then the entry is appended to a spool file and fsynced before the change
 * takes effect, and sent, in order, as soon as journald answers (checked every {@value #DRAIN_SECONDS} s). The spool
 * survives the gateway's restart: {@code <gateway data dir>/cutover-spool.jsonl}.
 */
final class ChangeJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChangeJournal.class.getName());
    static final int DRAIN_SECONDS = 2;

    private final PeerClient journald;
    private final Path spool;
    private final Periodic drainer;

    ChangeJournal(PeerClient journald, Path dataDir) {
        this.journald = journald;
        this.spool = dataDir.resolve("cutover-spool.jsonl");
        this.drainer = Periodic.every("cutover-spool", Duration.ofSeconds(DRAIN_SECONDS), this::drain);
    }

    /** What happened to an entry: journaled (its seq), or spooled to be journaled later. */
    record Outcome(Long seq, boolean spooled) {
    }

    /** Journals {@code entry}, or — journald down — spools it when {@code force}, else refuses (nothing changed). */
    synchronized Outcome record(ObjectNode entry, boolean force) {
        if (pending() == 0) {
            try {
                return new Outcome(journald.post("/v1/journal/entries", entry, ObjectNode.class, false).path("seq").asLong(), false);
            } catch (ApiException down) {
                if (!force) {
                    throw new ApiException.Unavailable("journal_unavailable", "journald cannot take the entry of this change ("
                            + down.code() + "), so the table in force stays; repeat with force (the CLI's --force) to change it "
                            + "anyway: the entry is then spooled and journaled as soon as journald answers");
                }
            }
        } else if (!force) {   // earlier forced entries wait: this one would overtake them
            drain();
            if (pending() > 0) {
                throw new ApiException.Unavailable("journal_unavailable", pending() + " forced change(s) are still waiting for journald, "
                        + "so this change is refused too; repeat with force to spool it behind them");
            }
            return record(entry, false);
        }
        entry.with("data").put("forced", true);
        append(entry);
        LOG.warning("cutover change spooled (journald down): " + entry.path("type").asText());
        return new Outcome(null, true);
    }

    private void append(ObjectNode entry) {
        try {
            Files.createDirectories(spool.getParent());
            try (FileChannel ch = FileChannel.open(spool, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap((Json.mapper().writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the cutover spool cannot be written", e);
        }
    }

    /** Entries waiting for journald. */
    synchronized int pending() {
        try {
            return Files.exists(spool) ? (int) Files.readAllLines(spool).stream().filter(l -> !l.isBlank()).count() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends what the spool holds, oldest first; stops at the first failure, keeping the rest. */
    synchronized void drain() {
        if (!Files.exists(spool)) {
            return;
        }
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(spool).stream().filter(l -> !l.isBlank()).toList());
            int sent = 0;
            for (String line : lines) {
                ObjectNode entry;
                try {
                    entry = (ObjectNode) Json.mapper().readTree(line);
                } catch (IOException | ClassCastException torn) {   // a torn last line of a crash: the change never took effect
                    sent++;
                    continue;
                }
                try {
                    journald.post("/v1/journal/entries", entry, ObjectNode.class, false);
                } catch (ApiException down) {
                    break;
                }
                sent++;
            }
            List<String> rest = lines.subList(sent, lines.size());
            if (rest.isEmpty()) {
                Files.delete(spool);
            } else if (sent > 0) {
                dev.lakehouse.common.AtomicFile.write(spool, (String.join("\n", rest) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (sent > 0) {
                LOG.info(sent + " spooled cutover change(s) journaled");
            }
        } catch (IOException e) {
            LOG.warning("the cutover spool cannot be read: " + e);
        }
    }

    @Override
    public void close() {
        drainer.close();
    }
}
