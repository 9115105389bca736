package dev.lakehouse.distilld;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.eclipse.collections.impl.set.mutable.primitive.LongHashSet;

/**
 * The 64-bit prefixes of the evidence hashes one run made (docs/distilld.md, "dedup"), in memory that does not grow with
 * the input: at most {@code limit} prefixes in a primitive hash set; past it they are sorted and merged into one sorted
 * file beside the run (a scratch file, not fsynced: a run that dies starts again from its watermark), and a fixed-size
 * Bloom filter (Parquet's split-block filter, {@value #BLOOM_BYTES} bytes) says which prefixes may be in it. A look-up
 * that misses the set and the filter — almost every new record — touches no file; one the filter lets through reads one
 * block of {@value #BLOCK} prefixes, found by the first prefix of every block kept in memory (8 bytes per
 * {@value #BLOCK} prefixes: 16 KB for a million spilled). What the run made comes back in ascending (signed) order for
 * the next dedup generation ({@link #sorted()}), streamed, not as one array.
 *
 * <p>One thread: the materializer's.
 */
final class RunDedup implements AutoCloseable {
    /** Prefixes held in memory before a spill: 8 MB of hash table at most, 4 MB more while one is sorted. */
    static final int DEFAULT_LIMIT = 1 << 19;
    static final int BLOOM_BYTES = 8 << 20;
    static final int BLOCK = 512;

    private final int limit;
    private final Path dirOrNull;
    private final LongHashSet current = new LongHashSet();
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK * Long.BYTES);
    private Path dir;
    private Path file;
    private FileChannel channel;
    private BlockSplitBloomFilter bloom;
    private long[] fences = new long[0];
    private long spilled;

    /** @param dir where spills go (created on the first; null: a temporary directory); removed again by {@link #close} */
    RunDedup(Path dir, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1: " + limit);
        }
        this.dirOrNull = dir;
        this.limit = limit;
    }

    RunDedup(Path dir) {
        this(dir, DEFAULT_LIMIT);
    }

    /** How many prefixes the run made. */
    long size() {
        return spilled + current.size();
    }

    /** Prefixes written to the spill file so far (0: none spilled). */
    long spilled() {
        return spilled;
    }

    boolean contains(long prefix) {
        if (current.contains(prefix)) {
            return true;
        }
        return spilled > 0 && bloom.findHash(prefix) && inFile(prefix);
    }

    /** Adds a prefix not yet {@link #contains contained}. */
    void add(long prefix) {
        current.add(prefix);
        if (current.size() >= limit) {
            spill();
        }
    }

    private boolean inFile(long prefix) {
        int b = Arrays.binarySearch(fences, prefix);
        if (b >= 0) {
            return true;
        }
        b = -b - 2;   // the block whose first prefix is below it
        if (b < 0) {
            return false;
        }
        long first = (long) b * BLOCK;
        int n = (int) Math.min(BLOCK, spilled - first);
        try {
            block.clear().limit(n * Long.BYTES);
            long at = first * Long.BYTES;
            while (block.hasRemaining()) {
                if (channel.read(block, at + block.position()) < 0) {
                    throw new EOFException("the run's dedup spill is shorter than its " + spilled + " prefixes");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DedupHistory.holds(block.flip().asLongBuffer(), prefix);
    }

    /** The set's prefixes, sorted, merged with the file's into a new file; the set is emptied. */
    private void spill() {
        try {
            if (dir == null) {
                dir = dirOrNull == null ? Files.createTempDirectory("distilld-dedup") : Files.createDirectories(dirOrNull);
                bloom = new BlockSplitBloomFilter(BLOOM_BYTES, BLOOM_BYTES);
            }
            long[] fresh = current.toSortedArray();
            current.clear();
            Path next = dir.resolve("spill.next");
            long count = spilled + fresh.length;
            long[] nextFences = new long[(int) ((count + BLOCK - 1) / BLOCK)];
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(next), 1 << 16))) {
                PrimitiveIterator.OfLong merged = merge(fileIterator(), fresh);
                for (long i = 0; i < count; i++) {
                    long v = merged.nextLong();
                    if (i % BLOCK == 0) {
                        nextFences[(int) (i / BLOCK)] = v;
                    }
                    out.writeLong(v);
                }
            }
            for (long v : fresh) {
                bloom.insertHash(v);
            }
            if (channel != null) {
                channel.close();
            }
            file = Files.move(next, dir.resolve("spill"), StandardCopyOption.REPLACE_EXISTING);
            channel = FileChannel.open(file, StandardOpenOption.READ);
            fences = nextFences;
            spilled = count;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill the run's dedup set past " + limit + " prefixes (its scratch directory): "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Every prefix the run made, ascending (signed); may be called more than once. */
    PrimitiveIterator.OfLong sorted() {
        return merge(fileIterator(), current.toSortedArray());
    }

    private PrimitiveIterator.OfLong fileIterator() {
        if (spilled == 0) {
            return Arrays.stream(new long[0]).iterator();
        }
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            long count = spilled;
            return new PrimitiveIterator.OfLong() {
                long read;

                @Override
                public boolean hasNext() {
                    if (read < count) {
                        return true;
                    }
                    closeQuietly();
                    return false;
                }

                @Override
                public long nextLong() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    try {
                        long v = in.readLong();
                        read++;
                        return v;
                    } catch (IOException e) {
                        closeQuietly();
                        throw new UncheckedIOException(e);
                    }
                }

                private void closeQuietly() {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // a read-only scratch file
                    }
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two ascending sequences with nothing in common as one. */
    private static PrimitiveIterator.OfLong merge(PrimitiveIterator.OfLong a, long[] b) {
        return new PrimitiveIterator.OfLong() {
            int j;
            boolean hasA = a.hasNext();
            long headA = hasA ? a.nextLong() : 0;

            @Override
            public boolean hasNext() {
                return hasA || j < b.length;
            }

            @Override
            public long nextLong() {
                if (hasA && (j == b.length || headA <= b[j])) {
                    long v = headA;
                    hasA = a.hasNext();
                    headA = hasA ? a.nextLong() : 0;
                    return v;
                }
                if (j < b.length) {
                    return b[j++];
                }
                throw new NoSuchElementException();
            }
        };
    }

    /** Removes the spill file and its directory (one this class made, or {@code dir} when it is empty then). */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("spill.next"));
            Files.deleteIfExists(dir.resolve("spill"));
            try (var left = Files.list(dir)) {
                if (left.findAny().isEmpty()) {
                    Files.delete(dir);
                }
            }
        }
    }
}
