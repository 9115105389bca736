package dev.lakehouse.distilld;

import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongPredicate;

import dev.lakehouse.common.AtomicFile;

/**
 * What earlier runs made (docs/distilld.md, "dedup across runs"): the 64-bit prefixes of every evidence hash they wrote,
 * so a record the platform observed again next week is a duplicate, not new data.
 *
 * <p>Layout of a generation file {@code dedup-<n>.bin} beside the watermark: the 8 bytes {@code LHDEDUP1}, the count
 * (8 bytes), then the prefixes as sorted signed big-endian longs. Read memory-mapped: a look-up is a binary search in
 * the page cache, so the heap holds nothing of history, whatever its size (a million runs of records is 8 MB of file).
 * A run writes the next generation — the old one merged with what it made, fsynced, renamed into place — and the
 * watermark names it in the same atomic write that moves the offsets; a generation the watermark does not name (a run
 * killed between the two) is deleted at the next run. Immutable once written; safe on any thread.
 */
final class DedupHistory implements LongPredicate {
    private static final long MAGIC = 0x4c48444544555031L;   // "LHDEDUP1"
    static final DedupHistory EMPTY = new DedupHistory(LongBuffer.allocate(0));

    private final LongBuffer prefixes;

    private DedupHistory(LongBuffer prefixes) {
        this.prefixes = prefixes;
    }

    /** The generation named (in {@code dir}); empty when none is named. A file that is not one stops the run, naming it. */
    static DedupHistory open(Path dir, String name) throws IOException {
        if (name == null) {
            return EMPTY;
        }
        Path file = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 16) {
                throw new IOException("dedup history " + name + " is cut: " + size + " bytes");
            }
            ByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            long count = map.getLong(8);
            if (map.getLong(0) != MAGIC || count < 0 || 16 + count * 8 != size) {
                throw new IOException("dedup history " + name + " is not one (magic, or " + count + " prefixes in " + size + " bytes)");
            }
            return new DedupHistory(map.position(16).slice().asLongBuffer());
        }
    }

    int size() {
        return prefixes.limit();
    }

    @Override
    public boolean test(long prefix) {
        int lo = 0;
        int hi = prefixes.limit() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = prefixes.get(mid);
            if (v < prefix) {
                lo = mid + 1;
            } else if (v > prefix) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Writes generation {@code name} in {@code dir}: this history merged with {@code made} (sorted, none of them in it). */
    void writeMerged(Path dir, String name, long[] made) throws IOException {
        AtomicFile.write(dir.resolve(name), raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.writeLong(MAGIC);
            out.writeLong((long) prefixes.limit() + made.length);
            int i = 0;
            int j = 0;
            while (i < prefixes.limit() || j < made.length) {
                if (j == made.length || i < prefixes.limit() && prefixes.get(i) <= made[j]) {
                    out.writeLong(prefixes.get(i++));
                } else {
                    out.writeLong(made[j++]);
                }
            }
            out.flush();
        });
    }

    /** Deletes every generation in {@code dir} but {@code keep}. */
    static void deleteOthers(Path dir, String keep) throws IOException {
        try (var files = Files.newDirectoryStream(dir, "dedup-*.bin")) {
            for (Path f : files) {
                if (!f.getFileName().toString().equals(keep)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
