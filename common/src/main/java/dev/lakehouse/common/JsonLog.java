package dev.lakehouse.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * An append-only log of JSON entries, one per line, for a daemon whose state is
 * the replay of everything it acknowledged (pathwayd's versions, truthd's claims).
 * {@link #append} writes a group of entries and fsyncs once; a failed append is cut
 * back off the file ({@link AppendOnly}), so an entry is on disk whole or not at
 * all. {@link #load} cuts a torn last line (a write killed before it was
 * acknowledged) and refuses to go on over any other damage, naming the file and
 * offset. Lines are never changed in place; {@link #rewrite} (a purge) replaces the
 * whole file atomically. One writer: the caller's group-commit thread.
 */
public final class JsonLog<E> implements AutoCloseable {
    private final Path file;
    private final Class<E> type;
    private FileChannel channel;   // the writer's, after load

    public JsonLog(Path file, Class<E> type) {
        this.file = file;
        this.type = type;
    }

    public Path file() {
        return file;
    }

    /** Every entry of a log file, in order (none when it does not exist), without opening it for appends. */
    public static <E> java.util.List<E> readAll(Path file, Class<E> type) throws IOException {
        java.util.List<E> out = new java.util.ArrayList<>();
        if (Files.exists(file)) {
            try (JsonLog<E> log = new JsonLog<>(file, type)) {
                log.load(out::add);
            }
        }
        return out;
    }

    /** Replays every entry, in order, then opens the log for appends. */
    public void load(Consumer<E> replay) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFile.cleanUp(file);   // a rewrite killed before its rename: the log itself is whole
        JsonLines.repairTail(file);
        if (Files.exists(file)) {
            JsonLines.read(file, 0, (line, offset) -> {
                E e;
                try {
                    e = Json.mapper().readValue(line, type);
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
    public void append(List<E> entries) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (E e : entries) {
            lines.write(Json.bytes(e));
            lines.write('\n');
        }
        AppendOnly.appendAndSync(channel, lines.toByteArray());
    }

    /**
     * Rewrites the log through {@code each} (an entry mapped to null is dropped, one mapped to itself kept as it was):
     * the new file is written beside it, fsynced and renamed over it ({@link AtomicFile}), so a crash at any point leaves
     * the old log or the new one, whole. Linear in the log. Writer thread only, after {@link #load}.
     *
     * @return how many entries were changed or dropped
     */
    public int rewrite(java.util.function.UnaryOperator<E> each) throws IOException {
        int[] changed = {0};
        channel.force(true);
        AtomicFile.write(file, out -> JsonLines.read(file, 0, (line, offset) -> {
            E e = Json.mapper().readValue(line, type);
            E kept = each.apply(e);
            if (kept != e) {
                changed[0]++;
            }
            if (kept != null) {
                out.write(kept == e ? line : Json.bytes(kept));
                out.write('\n');
            }
            return true;
        }));
        channel.close();
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return changed[0];
    }

    /** The log's size in bytes (0 before load, -1 when it cannot be read). */
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
