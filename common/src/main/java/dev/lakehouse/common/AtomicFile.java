package dev.lakehouse.common;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replacing a small file so that a reader (or a restart after {@code kill -9}) sees
 * the old content or the new, never a part: the bytes go to {@code <file>.tmp},
 * are fsynced, renamed over the file atomically, and the directory is fsynced.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** What writes a file's content; the stream is closed by {@link #write(Path, Content)}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /** The same, with content written as a stream (a file too big to build in memory first). */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = tmp(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            content.writeTo(out);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Removes the temporary file a write killed before its rename left behind; call at start-up. */
    public static void cleanUp(Path file) throws IOException {
        Files.deleteIfExists(tmp(file));
    }

    private static Path tmp(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }
}
