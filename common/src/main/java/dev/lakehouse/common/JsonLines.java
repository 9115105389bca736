package dev.lakehouse.common;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * Reading and repairing append-only JSON-lines files. A line is complete only
 * when it ends with {@code \n}: a process killed mid-append leaves a last line
 * without one (a torn tail), which {@link #repairTail} cuts off with a warning.
 * Appends never rewrite earlier bytes, so nothing before the tail can be torn.
 */
public final class JsonLines {
    private static final Logger LOG = Logger.getLogger(JsonLines.class.getName());

    private JsonLines() {
    }

    /** The files in {@code dir} whose names match {@code regex}, sorted by name; none when the directory is missing. */
    public static java.util.List<Path> list(Path dir, String regex) throws IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches(regex)).sorted().toList();
        }
    }

    /** Visitor of complete lines: the bytes (without the newline) and the offset where the line starts. */
    @FunctionalInterface
    public interface LineVisitor {
        /** Returns false to stop reading. */
        boolean line(byte[] line, long offset) throws IOException;
    }

    /**
     * Truncates the file after its last newline when the bytes after it do not
     * form a complete line. Returns the number of bytes cut.
     */
    public static long repairTail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long end = size;
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                ch.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end == size) {
                return 0;
            }
            ch.truncate(end);
            ch.force(true);
            LOG.warning(file + ": dropped a torn last line of " + (size - end)
                    + " bytes (a write that was never acknowledged)");
            return size - end;
        }
    }

    /** Calls the visitor for every complete line from {@code fromOffset}; an unterminated last line is skipped. */
    public static void read(Path file, long fromOffset, LineVisitor visitor) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            long skipped = raw.skip(fromOffset);
            if (skipped != fromOffset) {
                return;
            }
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            long offset = fromOffset;
            long lineStart = offset;
            int b;
            while ((b = in.read()) >= 0) {
                offset++;
                if (b == '\n') {
                    if (!visitor.line(line.toByteArray(), lineStart)) {
                        return;
                    }
                    line.reset();
                    lineStart = offset;
                } else {
                    line.write(b);
                }
            }
        }
    }
}
