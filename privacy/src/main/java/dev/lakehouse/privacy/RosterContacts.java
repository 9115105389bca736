package dev.lakehouse.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The roster's contacts as a {@link ContactDirectory}: each worker's phone (ten NANP digits) and e-mail address
 * (lower case), read from the roster's Parquet file ({@code LAKEHOUSE_ROSTER}, the file validatord serves) — only the
 * three columns it needs.
 *
 * <p>Layout: two sorted {@code long[]} of keys, each {@code value << 20 | row} (rows below 2^20, the roster's bound):
 * phones by their digits, e-mails by a 44-bit hash of the address (a false match needs a hash collision with one of
 * the roster's addresses, about 1 in 10^7 for a 500k roster, and then costs only an extra mask). Worker numbers in an
 * {@code int[]}. About 20 bytes a worker; a lookup is a binary search. Immutable once built: safe on any thread.
 */
public final class RosterContacts implements ContactDirectory {
    static final int ROW_BITS = 20;
    static final int MAX_ROWS = 1 << ROW_BITS;
    /** The columns that identify a worker: id, phone, e-mail (what is read of the file to find or mask contacts). */
    public static final MessageType PROJECTION = MessageTypeParser.parseMessageType(
            "message roster { required binary worker_id (STRING); required binary phone (STRING); required binary email (STRING); }");

    /** One worker's contacts as the file has them. */
    public record Contact(String workerId, String phone, String email) {
    }

    private final int[] workers;
    private final long[] phoneKeys;
    private final long[] emailKeys;

    private RosterContacts(int[] workers, long[] phoneKeys, long[] emailKeys) {
        this.workers = workers;
        this.phoneKeys = phoneKeys;
        this.emailKeys = emailKeys;
    }

    /** A directory of these contacts (for tests, and for rosters held elsewhere). */
    public static RosterContacts of(Iterable<Contact> contacts) {
        Builder b = new Builder();
        contacts.forEach(b::add);
        return b.build();
    }

    /** Reads the roster file's contacts; an {@link IOException} says what is wrong and where. */
    public static RosterContacts load(Path file) throws IOException {
        Builder b = new Builder();
        read(file, b::add);
        return b.build();
    }

    /** Streams the roster file's contacts, one worker at a time, as written. */
    public static void read(Path file, Consumer<Contact> each) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("roster file " + file.getFileName() + " does not exist");
        }
        long row = 0;
        try (ParquetReader<Group> reader = groups(new LocalInputFile(file), PROJECTION)) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                each.accept(new Contact(g.getString("worker_id", 0), g.getString("phone", 0), g.getString("email", 0)));
                row++;
            }
        } catch (IOException e) {
            throw new IOException("roster file " + file.getFileName() + " cannot be read at row " + row + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException("roster file " + file.getFileName() + " is corrupt at row " + row + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return workers.length;
    }

    @Override
    public String workerByPhone(long nanpDigits) {
        int row = find(phoneKeys, nanpDigits);
        return row < 0 ? null : workerId(workers[row]);
    }

    @Override
    public String workerByEmail(String lowerCaseAddress) {
        int row = find(emailKeys, emailHash(lowerCaseAddress));
        return row < 0 ? null : workerId(workers[row]);
    }

    private static String workerId(int number) {
        return number < 0 ? "(unnamed)" : String.format(Locale.ROOT, "W%06d", number);
    }

    private static int find(long[] keys, long value) {
        if (value < 0) {
            return -1;
        }
        int i = Arrays.binarySearch(keys, value << ROW_BITS);
        i = i >= 0 ? i : -i - 1;
        return i < keys.length && keys[i] >>> ROW_BITS == value ? (int) (keys[i] & (MAX_ROWS - 1)) : -1;
    }

    /** 44 bits of FNV-1a over the address's UTF-8 bytes. */
    static long emailHash(String address) {
        long h = 0xcbf29ce484222325L;
        for (byte b : address.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h >>> (64 - 44);
    }

    private static final class Builder {
        private int[] workers = new int[1024];
        private long[] phones = new long[1024];
        private long[] emails = new long[1024];
        private int n;
        private int nPhones;
        private int nEmails;

        void add(Contact c) {
            if (n == MAX_ROWS) {
                throw new IllegalStateException("a roster holds at most " + MAX_ROWS + " workers");
            }
            if (n == workers.length) {
                workers = Arrays.copyOf(workers, n * 2);
                phones = Arrays.copyOf(phones, n * 2);
                emails = Arrays.copyOf(emails, n * 2);
            }
            String id = c.workerId();
            workers[n] = id != null && id.matches("W[0-9]{6}") ? Integer.parseInt(id.substring(1)) : -1;
            long digits = c.phone() == null ? -1 : ContactDirectory.nanpDigits(c.phone());
            if (digits >= 0) {
                phones[nPhones++] = digits << ROW_BITS | n;
            }
            if (c.email() != null && c.email().indexOf('@') > 0) {
                emails[nEmails++] = emailHash(c.email().strip().toLowerCase(Locale.ROOT)) << ROW_BITS | n;
            }
            n++;
        }

        RosterContacts build() {
            long[] p = Arrays.copyOf(phones, nPhones);
            long[] e = Arrays.copyOf(emails, nEmails);
            Arrays.sort(p);
            Arrays.sort(e);
            return new RosterContacts(Arrays.copyOf(workers, n), p, e);
        }
    }

    /**
     * A reader of a Parquet file's rows as {@link Group}s, only the columns of {@code projection} (null: all) — the roster's
     * readers here and in validatord. (Parquet has no public builder of a {@link GroupReadSupport} reader over an
     * {@link InputFile}: this is the one subclass that makes one.)
     */
    public static ParquetReader<Group> groups(InputFile file, MessageType projection) throws IOException {
        Reader r = new Reader(file);
        if (projection != null) {
            r.set(ReadSupport.PARQUET_READ_SCHEMA, projection.toString());
        }
        return r.build();
    }

    private static final class Reader extends ParquetReader.Builder<Group> {
        Reader(InputFile file) {
            super(file);
        }

        @Override
        protected ReadSupport<Group> getReadSupport() {
            return new GroupReadSupport();
        }
    }
}
