package dev.lakehouse.matrixd.pathwayd.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import dev.lakehouse.common.AppendOnly;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;
import dev.lakehouse.matrixd.pathwayd.Version;

/**
 * pathwayd's append-only log, {@code <data>/memories/versions.jsonl}: one line per
 * write, {@code {"seq":17,"at":"…","versions":[…]}}, holding every version that write
 * made (a supersede makes several), so a write is on disk whole or not at all. Lines
 * are never rewritten. {@link #append} writes a group of lines and fsyncs once; a
 * failed append is cut back off the file ({@link AppendOnly}). {@link #load} cuts a
 * torn last line (a write killed before it was acknowledged) and refuses to start on
 * any other damage, naming the file and offset.
 */
public final class VersionLog implements AutoCloseable {
    /** One write: its sequence number, when it was made, and the versions it made. */
    public record Entry(long seq, Instant at, List<Version> versions) {
    }

    private final Path file;
    private FileChannel channel;   // the writer thread's, after load

    public VersionLog(Path dir) {
        this.file = dir.resolve("versions.jsonl");
    }

    public Path file() {
        return file;
    }

    /** Replays every entry, in order, then opens the log for appends. */
    public void load(Consumer<Entry> replay) throws IOException {
        Files.createDirectories(file.getParent());
        JsonLines.repairTail(file);
        if (Files.exists(file)) {
            JsonLines.read(file, 0, (line, offset) -> {
                Entry e;
                try {
                    e = Json.mapper().readValue(line, Entry.class);
                } catch (IOException bad) {
                    throw new IOException(file + " offset " + offset + " is not a log entry: "
                            + bad.getMessage().lines().findFirst().orElse(""), bad);
                }
                replay.accept(e);
                return true;
            });
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Appends the entries, one line each, and fsyncs once; on failure nothing of them stays in the file. */
    public void append(List<Entry> entries) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (Entry e : entries) {
            lines.write(Json.bytes(e));
            lines.write('\n');
        }
        AppendOnly.appendAndSync(channel, lines.toByteArray());
    }

    public long bytes() {
        try {
            return channel == null ? 0 : channel.size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.force(true);
            channel.close();
        }
    }
}
