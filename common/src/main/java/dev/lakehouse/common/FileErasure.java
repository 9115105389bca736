package dev.lakehouse.common;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Erasure in the daemons' own text files (observations, distill runs, ingest jobs): every line naming the subject is
 * masked <em>in place</em> with {@link SubjectIdentifiers#mask}, which keeps each line's length in bytes. So an
 * append-only file keeps every offset that readers recorded (distilld's run inputs are byte ranges of observerd's day
 * files), a writer appending at the end is never disturbed, and {@code kill -9} mid-way leaves each line either masked
 * or not — never a torn file; running the erasure again masks the rest. A line that is JSON and would not parse once
 * masked is left as it is and counted as unmaskable (the verification scan then reports it).
 */
public final class FileErasure {
    private static final int SNIFF = 8192;

    private FileErasure() {
    }

    /** What masking did: files read, their bytes, files changed, lines masked, lines left (unmaskable), bytes written. */
    public record Masked(long files, long bytes, long filesChanged, long linesMasked, long linesUnmaskable, long bytesWritten) {
        public static final Masked NONE = new Masked(0, 0, 0, 0, 0, 0);

        public Masked plus(Masked o) {
            return new Masked(files + o.files, bytes + o.bytes, filesChanged + o.filesChanged, linesMasked + o.linesMasked,
                    linesUnmaskable + o.linesUnmaskable, bytesWritten + o.bytesWritten);
        }
    }

    /** Masks every text file under {@code root} (binary files — a NUL in their first 8 KiB — and {@code *.tmp} are passed over). */
    public static Masked maskTree(Path root, SubjectIdentifiers subject) throws IOException {
        if (!Files.isDirectory(root)) {
            return Masked.NONE;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
        Masked total = Masked.NONE;
        for (Path f : files) {
            if (Files.isRegularFile(f) && isText(f)) {
                total = total.plus(maskInPlace(f, subject));
            }
        }
        return total;
    }

    static boolean isText(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(SNIFF);
            for (byte b : head) {
                if (b == 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Masks, in place and fsynced, every line of {@code file} (as far as it reaches now) that names the subject. */
    public static Masked maskInPlace(Path file, SubjectIdentifiers subject) throws IOException {
        return maskInPlace(file, subject, Long.MAX_VALUE);
    }

    /**
     * The same for the file's first {@code limit} bytes: an append-only file's acknowledged part, taken while its writer
     * was between appends, so a later append (or the cut of a failed one) never meets a masked write.
     */
    public static Masked maskInPlace(Path file, SubjectIdentifiers subject, long limit) throws IOException {
        long masked = 0;
        long unmaskable = 0;
        long written = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long size = Math.min(limit, ch.size());
            long pos = 0;
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            while (pos < size) {
                line.reset();
                long start = pos;
                int b;
                while (pos < size && (b = in.read()) >= 0) {
                    pos++;
                    if (b == '\n') {
                        break;
                    }
                    line.write(b);
                }
                byte[] bytes = line.toByteArray();
                String text = new String(bytes, StandardCharsets.UTF_8);
                if (!subject.matches(text)) {
                    continue;
                }
                byte[] out = subject.mask(text).getBytes(StandardCharsets.UTF_8);
                if (out.length != bytes.length || !stillParses(text, out)) {
                    unmaskable++;
                    continue;
                }
                ByteBuffer buf = ByteBuffer.wrap(out);
                long at = start;
                while (buf.hasRemaining()) {
                    at += ch.write(buf, at);
                }
                masked++;
                written += out.length;
            }
            if (masked > 0) {
                ch.force(true);
            }
            return new Masked(1, size, masked > 0 ? 1 : 0, masked, unmaskable, written);
        }
    }

    /** A line that was JSON must still be JSON once masked. */
    private static boolean stillParses(String before, byte[] after) {
        String t = before.strip();
        if (!(t.startsWith("{") || t.startsWith("["))) {
            return true;
        }
        try {
            Json.mapper().readTree(before);
        } catch (IOException e) {
            return true;   // it was not JSON to begin with
        }
        try {
            Json.mapper().readTree(after);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
