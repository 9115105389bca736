package dev.lakehouse.vectord.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import dev.lakehouse.common.AppendOnly;

/**
 * An index's write-ahead log: files {@code wal-<generation, 10 digits>.log} in the
 * index's directory, each a sequence of records
 * <pre>
 *   int32 length | int32 CRC-32 of body | body (length bytes)
 *   body = byte type (1 upsert, 2 delete) | uint16 id length | id (UTF-8)
 *          [upsert: int32 dims | dims × float32 | int32 payload length | payload (JSON, UTF-8)]
 * </pre>
 * big-endian. Appends are written and fsynced before the write is acknowledged
 * (the caller groups concurrent writes into one append). A failed append is cut
 * back off the file. Replay stops at the first record that is incomplete or fails
 * its CRC — a write killed mid-way, never acknowledged — and cuts the file there.
 * A snapshot rotates to a new generation; generations it covers are deleted.
 * Not thread-safe: one writer at a time (the index's writer thread).
 */
public final class Wal implements AutoCloseable {
    public static final byte UPSERT = 1;
    public static final byte DELETE = 2;
    private static final Logger LOG = Logger.getLogger(Wal.class.getName());

    /** One logged change. {@code vector} and {@code payload} are null for a delete. */
    public record Record(byte type, String id, float[] vector, byte[] payload) {
    }

    private final Path dir;
    private long generation;
    private FileChannel channel;

    /** Opens the newest generation of {@code dir} for appending (or starts generation {@code first}). */
    public Wal(Path dir, long first) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        List<Long> gens = generations(dir);
        this.generation = gens.isEmpty() ? first : Math.max(first, gens.get(gens.size() - 1));
        open();
    }

    private void open() throws IOException {
        channel = FileChannel.open(file(dir, generation), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    public long generation() {
        return generation;
    }

    public static Path file(Path dir, long generation) {
        return dir.resolve(String.format("wal-%010d.log", generation));
    }

    static byte[] encode(Record r) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(r.vector() == null ? 64 : r.vector().length * 4 + 128);
        DataOutputStream out = new DataOutputStream(body);
        out.writeByte(r.type());
        byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
        out.writeShort(id.length);
        out.write(id);
        if (r.type() == UPSERT) {
            out.writeInt(r.vector().length);
            ByteBuffer floats = ByteBuffer.allocate(r.vector().length * 4);
            floats.asFloatBuffer().put(r.vector());
            out.write(floats.array());
            out.writeInt(r.payload().length);
            out.write(r.payload());
        }
        out.flush();
        byte[] bytes = body.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(bytes);
        ByteBuffer framed = ByteBuffer.allocate(8 + bytes.length);
        framed.putInt(bytes.length).putInt((int) crc.getValue()).put(bytes);
        return framed.array();
    }

    static Record decode(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        byte type = in.readByte();
        byte[] id = new byte[in.readUnsignedShort()];
        in.readFully(id);
        if (type == DELETE) {
            return new Record(type, new String(id, StandardCharsets.UTF_8), null, null);
        }
        if (type != UPSERT) {
            throw new IOException("unknown WAL record type " + type);
        }
        float[] vector = new float[in.readInt()];
        byte[] raw = new byte[vector.length * 4];
        in.readFully(raw);
        ByteBuffer.wrap(raw).asFloatBuffer().get(vector);
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new Record(type, new String(id, StandardCharsets.UTF_8), vector, payload);
    }

    /** Appends the records and fsyncs; on failure the file is cut back to where it was. Returns bytes written. */
    public long append(List<Record> records) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Record r : records) {
            all.write(encode(r));
        }
        AppendOnly.appendAndSync(channel, all.toByteArray());
        return all.size();
    }

    /** Starts a new generation; returns the one just closed. */
    public long rotate() throws IOException {
        channel.force(true);
        channel.close();
        long closed = generation;
        generation++;
        open();
        return closed;
    }

    /** Deletes the generations up to and including {@code generation}. */
    public void deleteUpTo(long generation) throws IOException {
        for (long g : generations(dir)) {
            if (g <= generation && g != this.generation) {
                Files.deleteIfExists(file(dir, g));
            }
        }
    }

    public long bytes() {
        try {
            long total = 0;
            for (long g : generations(dir)) {
                total += Files.size(file(dir, g));
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Replays every generation after {@code afterGeneration}, in order, cutting a
     * torn or corrupt tail off the file where it is found. Returns the records read.
     */
    public static long replay(Path dir, long afterGeneration, Consumer<Record> apply) throws IOException {
        long count = 0;
        for (long g : generations(dir)) {
            if (g > afterGeneration) {
                count += replayFile(file(dir, g), apply);
            }
        }
        return count;
    }

    private static long replayFile(Path file, Consumer<Record> apply) throws IOException {
        long good = 0;
        long count = 0;
        long size = Files.size(file);
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            while (good < size) {
                int length;
                int crc;
                byte[] body;
                try {
                    length = in.readInt();
                    crc = in.readInt();
                    if (length < 0 || length > size - good - 8) {
                        break;
                    }
                    body = new byte[length];
                    in.readFully(body);
                } catch (EOFException e) {
                    break;
                }
                CRC32 check = new CRC32();
                check.update(body);
                if ((int) check.getValue() != crc) {
                    break;
                }
                apply.accept(decode(body));
                count++;
                good += 8 + length;
            }
        }
        if (good < size) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(good);
                ch.force(true);
            }
            LOG.warning(file + ": dropped " + (size - good) + " bytes after the last whole record (a write that was never acknowledged)");
        }
        return count;
    }

    static List<Long> generations(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("wal-\\d{10}\\.log"))
                    .map(n -> Long.parseLong(n.substring(4, 14))).sorted().toList();
        }
    }

    @Override
    public void close() throws IOException {
        channel.force(true);
        channel.close();
    }
}
