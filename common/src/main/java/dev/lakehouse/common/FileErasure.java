package dev.lakehouse.common;

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
        long[] masked = new long[3];   // lines masked, lines unmaskable, bytes written
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = Math.min(limit, ch.size());
            byte[] buf = new byte[CHUNK];
            int have = 0;
            long bufStart = 0;   // the file offset of buf[0]
            while (bufStart + have < size) {
                ByteBuffer into = ByteBuffer.wrap(buf, have, (int) Math.min(buf.length - have, size - bufStart - have));
                int r = ch.read(into, bufStart + have);
                if (r <= 0) {
                    break;
                }
                have += r;
                boolean last = bufStart + have >= size;
                int end = last ? have : lastNewline(buf, have) + 1;
                if (end <= 0) {   // no whole line yet: read on, growing the buffer when a line is longer than it
                    if (have == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    }
                    continue;
                }
                maskChunk(ch, buf, end, bufStart, subject, masked);
                System.arraycopy(buf, end, buf, 0, have - end);
                bufStart += end;
                have -= end;
            }
            if (masked[0] > 0) {
                ch.force(true);
            }
            return new Masked(1, size, masked[0] > 0 ? 1 : 0, masked[0], masked[1], masked[2]);
        }
    }

    private static final int CHUNK = 4 << 20;

    private static int lastNewline(byte[] buf, int have) {
        for (int i = have - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Whole lines {@code buf[0, end)} at file offset {@code at}: one match over the chunk, then line by line only if it names the subject. */
    private static void maskChunk(FileChannel ch, byte[] buf, int end, long at, SubjectIdentifiers subject, long[] counts) throws IOException {
        if (!subject.matches(new String(buf, 0, end, StandardCharsets.UTF_8))) {
            return;
        }
        int from = 0;
        while (from < end) {
            int nl = from;
            while (nl < end && buf[nl] != '\n') {
                nl++;
            }
            String text = new String(buf, from, nl - from, StandardCharsets.UTF_8);
            if (subject.matches(text)) {
                byte[] out = subject.mask(text).getBytes(StandardCharsets.UTF_8);
                if (out.length != nl - from || !stillParses(text, out)) {
                    counts[1]++;
                } else {
                    ByteBuffer w = ByteBuffer.wrap(out);
                    long pos = at + from;
                    while (w.hasRemaining()) {
                        pos += ch.write(w, pos);
                    }
                    counts[0]++;
                    counts[2] += out.length;
                }
            }
            from = nl + 1;
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
