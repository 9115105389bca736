package dev.lakehouse.validatord.roster;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

import dev.lakehouse.common.AtomicFile;

/**
 * The roster as validatord keeps it in memory, saved beside its data so that the next
 * start reads it back in a fraction of the Parquet read (docs/validatord.md): the
 * Parquet file stays the source of truth, and the snapshot names the file it was made
 * from — its absolute path, size and modification time. A snapshot of another file, of
 * another version of it, of another format, a torn or corrupted one (a CRC-32C over
 * all of it) is not used: the Parquet file is read and the snapshot written again.
 *
 * <p>Layout: {@code LHROSTER}, format version, the source key (length-prefixed UTF-8),
 * the columns and the lookups built from them ({@link Roster#write}), then the CRC-32C of everything before it.
 */
public final class RosterSnapshot {
    private static final Logger LOG = Logger.getLogger(RosterSnapshot.class.getName());
    private static final byte[] MAGIC = "LHROSTER".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;

    private RosterSnapshot() {
    }

    /** A roster loaded, and whether it came from the snapshot. */
    public record Loaded(Roster roster, boolean fromSnapshot) {
    }

    /**
     * The roster of {@code parquet}: from {@code snapshot} when it is that file's, else read
     * from the Parquet file (and the snapshot written for next time; failing to write it is
     * logged, never fatal). Problems with the Parquet file are the loader's IOException.
     */
    public static Loaded load(Path parquet, Path snapshot) throws IOException {
        String key = key(parquet);
        if (Files.isRegularFile(snapshot)) {
            try {
                return new Loaded(read(snapshot, key), true);
            } catch (IOException | RuntimeException e) {
                LOG.warning("roster snapshot " + snapshot + " not used (" + e.getMessage() + "); reading " + parquet);
            }
        }
        Roster roster = RosterLoader.load(parquet);
        try {
            write(snapshot, key, roster);
        } catch (IOException | RuntimeException e) {
            LOG.warning("roster snapshot " + snapshot + " not written: " + e.getMessage());
        }
        return new Loaded(roster, false);
    }

    /**
     * Saves {@code roster} as the snapshot of {@code parquet} as that file is now (after an erasure rewrote it): the next
     * start reads it instead of the file. Failing is logged, never fatal: the next start reads the file.
     */
    public static void save(Path parquet, Path snapshot, Roster roster) {
        try {
            write(snapshot, key(parquet), roster);
        } catch (IOException | RuntimeException e) {
            LOG.warning("roster snapshot " + snapshot + " not written: " + e.getMessage());
        }
    }

    /** What the snapshot must name: the Parquet file's absolute path, size and modification time. */
    static String key(Path parquet) throws IOException {
        if (!Files.isRegularFile(parquet)) {
            throw new IOException("roster file " + parquet + " does not exist");
        }
        return parquet.toAbsolutePath() + "|" + Files.size(parquet) + "|" + Files.getLastModifiedTime(parquet).toMillis();
    }

    static void write(Path snapshot, String key, Roster roster) throws IOException {
        Files.createDirectories(snapshot.toAbsolutePath().getParent());
        AtomicFile.write(snapshot, raw -> {
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
            out.write(MAGIC);
            out.writeInt(VERSION);
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            out.writeInt(k.length);
            out.write(k);
            roster.write(out);
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue());
        });
    }

    static Roster read(Path snapshot, String key) throws IOException {
        try (FileChannel ch = FileChannel.open(snapshot)) {
            long length = ch.size();
            if (length < MAGIC.length + 16 || length > Integer.MAX_VALUE) {
                throw new IOException("a snapshot of " + length + " bytes");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, length);
            CRC32C crc = new CRC32C();
            crc.update(map.slice(0, (int) length - 8));
            if (crc.getValue() != map.getLong((int) length - 8)) {
                throw new IOException("checksum mismatch (torn or corrupted)");
            }
            ByteBuffer in = map.slice(0, (int) length - 8);
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.getInt() != VERSION) {
                throw new IOException("not a roster snapshot of format " + VERSION);
            }
            byte[] k = new byte[in.getInt()];
            in.get(k);
            String was = new String(k, StandardCharsets.UTF_8);
            if (!was.equals(key)) {
                throw new IOException("made from " + was + ", not " + key);
            }
            Roster roster = Roster.read(in);
            if (in.hasRemaining()) {
                throw new IOException(in.remaining() + " bytes after the roster");
            }
            return roster;
        }
    }
}
