package dev.lakehouse.common;

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

    /**
     * Calls the visitor for every complete line from {@code fromOffset}; an unterminated last line is skipped. Read in
     * blocks of 256 KiB, each line found with a scan for {@code \n} and handed over as a copy of its bytes: a line
     * that spans two blocks is carried over (not byte by byte through a synchronized stream, which was most of a large
     * file's read time).
     */
    public static void read(Path file, long fromOffset, LineVisitor visitor) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long skipped = in.skip(fromOffset);
            if (skipped != fromOffset) {
                return;
            }
            byte[] block = new byte[BLOCK];
            byte[] carry = new byte[0];   // the start of a line that the previous block did not end
            int carried = 0;
            long lineStart = fromOffset;
            int n;
            while ((n = in.read(block)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (block[i] != '\n') {
                        continue;
                    }
                    byte[] line;
                    if (carried == 0) {
                        line = java.util.Arrays.copyOfRange(block, from, i);
                    } else {
                        line = java.util.Arrays.copyOf(carry, carried + i - from);
                        System.arraycopy(block, from, line, carried, i - from);
                        carried = 0;
                    }
                    if (!visitor.line(line, lineStart)) {
                        return;
                    }
                    lineStart += line.length + 1;
                    from = i + 1;
                }
                int rest = n - from;
                if (rest > 0) {
                    if (carried + rest > carry.length) {
                        carry = java.util.Arrays.copyOf(carry, Math.max(carried + rest, carry.length * 2));
                    }
                    System.arraycopy(block, from, carry, carried, rest);
                    carried += rest;
                }
            }
        }
    }

    private static final int BLOCK = 1 << 18;
}
