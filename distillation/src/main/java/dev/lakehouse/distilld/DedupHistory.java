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
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

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
        return holds(prefixes, prefix);
    }

    /** Binary search of ascending (signed) longs, position to limit. */
    static boolean holds(LongBuffer sorted, long prefix) {
        int lo = sorted.position();
        int hi = sorted.limit() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = sorted.get(mid);
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

    /**
     * Writes generation {@code name} in {@code dir}: this history merged with what {@code made} gives (ascending, signed;
     * a new iterator each call — it is read twice, to count and to write) that this history does not already hold.
     */
    void writeMerged(Path dir, String name, Supplier<PrimitiveIterator.OfLong> made) throws IOException {
        long fresh = 0;
        for (var it = notHeld(made.get()); it.hasNext(); it.nextLong()) {
            fresh++;
        }
        long count = prefixes.limit() + fresh;
        AtomicFile.write(dir.resolve(name), raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.writeLong(MAGIC);
            out.writeLong(count);
            var it = notHeld(made.get());
            boolean more = it.hasNext();
            long next = more ? it.nextLong() : 0;
            int i = 0;
            while (i < prefixes.limit() || more) {
                if (!more || i < prefixes.limit() && prefixes.get(i) <= next) {
                    out.writeLong(prefixes.get(i++));
                } else {
                    out.writeLong(next);
                    more = it.hasNext();
                    next = more ? it.nextLong() : 0;
                }
            }
            out.flush();
        });
    }

    /** What {@code in} gives that this history does not hold. */
    private PrimitiveIterator.OfLong notHeld(PrimitiveIterator.OfLong in) {
        return new PrimitiveIterator.OfLong() {
            private boolean ready;
            private long value;

            @Override
            public boolean hasNext() {
                while (!ready && in.hasNext()) {
                    long v = in.nextLong();
                    if (!test(v)) {
                        value = v;
                        ready = true;
                    }
                }
                return ready;
            }

            @Override
            public long nextLong() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return value;
            }
        };
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
