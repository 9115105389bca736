package dev.lakehouse.validatord.roster;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The worker roster in memory, column by column: worker numbers as ints, names,
 * roles, places and status dictionary-encoded, coordinates and rates as floats,
 * phones and emails in byte arenas — about 60 bytes a worker instead of a map of
 * Strings. Lookups by worker id (binary search), and by phone and e-mail (sorted
 * packed keys) so the e-mail validator can recognise another worker's contact
 * details. Immutable and safe to share between threads.
 */
public final class Roster implements dev.lakehouse.privacy.ContactDirectory {
    /** One worker, as the API shows it. */
    public record Worker(String workerId, String firstName, String lastName, String role, String city, String state,
                         String zip, double lat, double lon, String phone, String email, double hourlyRate,
                         String skills, String status) {
        public boolean active() {
            return "active".equals(status);
        }
    }

    private static final int ROW_BITS = 24;
    public static final int MAX_ROWS = 1 << ROW_BITS;

    private final int size;
    private final int[] numbers;        // worker number per row
    private final int[] byNumber;       // rows sorted by worker number (null when rows already are)
    private final StringColumn firstName;
    private final StringColumn lastName;
    private final StringColumn role;
    private final StringColumn city;
    private final StringColumn state;
    private final StringColumn zip;
    private final float[] lat;
    private final float[] lon;
    private final StringColumn phone;
    private final StringColumn email;
    private final float[] rate;
    private final StringColumn skills;
    private final StringColumn status;
    private final long[] phoneKeys;     // (10-digit phone << 24 | row), sorted
    private final long[] emailKeys;     // (40-bit hash of the lower-cased e-mail << 24 | row), sorted

    Roster(int size, int[] numbers, StringColumn firstName, StringColumn lastName, StringColumn role, StringColumn city,
           StringColumn state, StringColumn zip, float[] lat, float[] lon, StringColumn phone, StringColumn email,
           float[] rate, StringColumn skills, StringColumn status) {
        this(size, numbers, firstName, lastName, role, city, state, zip, lat, lon, phone, email, rate, skills, status,
                sortedOrNull(numbers, size), keys(size, row -> phoneDigits(phone.get(row))), keys(size, row -> emailHash(email.get(row))));
    }

    private Roster(int size, int[] numbers, StringColumn firstName, StringColumn lastName, StringColumn role, StringColumn city,
                   StringColumn state, StringColumn zip, float[] lat, float[] lon, StringColumn phone, StringColumn email,
                   float[] rate, StringColumn skills, StringColumn status, int[] byNumber, long[] phoneKeys, long[] emailKeys) {
        this.size = size;
        this.numbers = numbers;
        this.firstName = firstName;
        this.lastName = lastName;
        this.role = role;
        this.city = city;
        this.state = state;
        this.zip = zip;
        this.lat = lat;
        this.lon = lon;
        this.phone = phone;
        this.email = email;
        this.rate = rate;
        this.skills = skills;
        this.status = status;
        this.byNumber = byNumber;
        this.phoneKeys = phoneKeys;
        this.emailKeys = emailKeys;
    }

    /** (key of row << 24 | row) for every row, sorted. */
    private static long[] keys(int size, java.util.function.IntToLongFunction key) {
        long[] keys = new long[size];
        for (int row = 0; row < size; row++) {
            keys[row] = key.applyAsLong(row) << ROW_BITS | row;
        }
        Arrays.sort(keys);
        return keys;
    }

    private static int[] sortedOrNull(int[] numbers, int size) {
        boolean sorted = true;
        for (int i = 1; i < size && sorted; i++) {
            sorted = numbers[i - 1] < numbers[i];
        }
        if (sorted) {
            return null;
        }
        Integer[] rows = new Integer[size];
        for (int i = 0; i < size; i++) {
            rows[i] = i;
        }
        Arrays.sort(rows, (a, b) -> Integer.compare(numbers[a], numbers[b]));
        return Arrays.stream(rows).mapToInt(Integer::intValue).toArray();
    }

    public int size() {
        return size;
    }

    /**
     * This roster without the given rows, the others in their order: what the roster file holds after an erasure
     * removed those rows from it ({@link RosterErasure}), built without reading the file again.
     */
    public Roster without(java.util.BitSet rows) {
        int n = size - rows.cardinality();
        int[] nums = new int[n];
        float[] la = new float[n];
        float[] lo = new float[n];
        float[] ra = new float[n];
        StringColumn[] from = strings();
        StringColumn.Builder[] to = new StringColumn.Builder[from.length];
        for (int c = 0; c < from.length; c++) {
            to[c] = new StringColumn.Builder(n);
        }
        int out = 0;
        for (int row = rows.nextClearBit(0); row < size; row = rows.nextClearBit(row + 1)) {
            nums[out] = numbers[row];
            la[out] = lat[row];
            lo[out] = lon[row];
            ra[out] = rate[row];
            for (int c = 0; c < from.length; c++) {
                to[c].add(from[c].get(row));
            }
            out++;
        }
        StringColumn[] b = new StringColumn[to.length];
        for (int c = 0; c < to.length; c++) {
            b[c] = to[c].build();
        }
        return new Roster(n, nums, b[0], b[1], b[2], b[3], b[4], b[5], la, lo, b[6], b[7], ra, b[8], b[9]);
    }

    /** The columns, for {@link RosterSnapshot}: what the Parquet file held, in the form it is kept in. */
    void write(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeInt(numbers[i]);
        }
        for (float[] column : new float[][] {lat, lon, rate}) {
            for (int i = 0; i < size; i++) {
                out.writeFloat(column[i]);
            }
        }
        for (StringColumn column : strings()) {
            column.write(out);
        }
        out.writeBoolean(byNumber != null);   // the lookups, so that a start from the snapshot need not build them again
        for (int i = 0; byNumber != null && i < size; i++) {
            out.writeInt(byNumber[i]);
        }
        for (long[] keys : new long[][] {phoneKeys, emailKeys}) {
            for (int i = 0; i < size; i++) {
                out.writeLong(keys[i]);
            }
        }
    }

    /** A roster as {@link #write} wrote it, each lookup checked (rows in range, keys sorted) as it is read. */
    static Roster read(java.nio.ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > MAX_ROWS) {
            throw new IllegalArgumentException("roster of " + n + " rows");
        }
        int[] numbers = new int[n];
        in.asIntBuffer().get(numbers);
        in.position(in.position() + 4 * n);
        float[][] floats = new float[3][n];
        for (float[] column : floats) {
            in.asFloatBuffer().get(column);
            in.position(in.position() + 4 * n);
        }
        StringColumn[] s = new StringColumn[10];
        for (int i = 0; i < s.length; i++) {
            s[i] = StringColumn.read(in, n);
        }
        int[] byNumber = null;
        if (in.get() != 0) {
            byNumber = new int[n];
            in.asIntBuffer().get(byNumber);
            in.position(in.position() + 4 * n);
            for (int i = 0; i < n; i++) {
                if (byNumber[i] < 0 || byNumber[i] >= n || i > 0 && numbers[byNumber[i - 1]] >= numbers[byNumber[i]]) {
                    throw new IllegalArgumentException("the id lookup is not sorted at " + i);
                }
            }
        }
        long[][] keys = new long[2][n];
        for (long[] k : keys) {
            in.asLongBuffer().get(k);
            in.position(in.position() + 8 * n);
            for (int i = 0; i < n; i++) {
                if ((k[i] & (MAX_ROWS - 1)) >= n || i > 0 && k[i - 1] > k[i]) {
                    throw new IllegalArgumentException("a contact lookup is not sorted at " + i);
                }
            }
        }
        return new Roster(n, numbers, s[0], s[1], s[2], s[3], s[4], s[5], floats[0], floats[1], s[6], s[7], floats[2], s[8], s[9],
                byNumber, keys[0], keys[1]);
    }

    private StringColumn[] strings() {
        return new StringColumn[] {firstName, lastName, role, city, state, zip, phone, email, skills, status};
    }

    /** The row of a worker id, or -1 when it is not on the roster (or not a well-formed id). */
    public int row(String workerId) {
        if (!RosterFile.isWorkerId(workerId)) {
            return -1;
        }
        int number = RosterFile.number(workerId);
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int row = byNumber == null ? mid : byNumber[mid];
            int n = numbers[row];
            if (n < number) {
                lo = mid + 1;
            } else if (n > number) {
                hi = mid - 1;
            } else {
                return row;
            }
        }
        return -1;
    }

    public Optional<Worker> worker(String workerId) {
        int row = row(workerId);
        return row < 0 ? Optional.empty() : Optional.of(worker(row));
    }

    public Worker worker(int row) {
        return new Worker(workerId(row), firstName.get(row), lastName.get(row), role.get(row), city.get(row),
                state.get(row), zip.get(row), exact(lat[row]), exact(lon[row]), phone.get(row), email.get(row), exact(rate[row]),
                skills.get(row), status.get(row));
    }

    /** A float as the decimal it was written as (30.36087, not 30.360870361328125). */
    private static double exact(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    public String workerId(int row) {
        return RosterFile.workerId(numbers[row]);
    }

    public String firstName(int row) {
        return firstName.get(row);
    }

    public String lastName(int row) {
        return lastName.get(row);
    }

    public String role(int row) {
        return role.get(row);
    }

    public double lat(int row) {
        return lat[row];
    }

    public double lon(int row) {
        return lon[row];
    }

    public boolean active(int row) {
        return status.equalsAt(row, "active");
    }

    /** The row of the worker with this phone number (any formatting; a leading US 1 ignored), or -1. */
    public int rowByPhone(String phoneNumber) {
        long digits = phoneDigits(phoneNumber);
        if (digits < 0) {
            return -1;
        }
        int i = lowerBound(phoneKeys, digits << ROW_BITS);
        return i < size && phoneKeys[i] >>> ROW_BITS == digits ? (int) (phoneKeys[i] & (MAX_ROWS - 1)) : -1;
    }

    /** The row of the worker with this e-mail address (case-insensitive), or -1. */
    public int rowByEmail(String address) {
        String lower = address.toLowerCase(java.util.Locale.ROOT);
        long hash = emailHash(lower);
        for (int i = lowerBound(emailKeys, hash << ROW_BITS); i < size && emailKeys[i] >>> ROW_BITS == hash; i++) {
            int row = (int) (emailKeys[i] & (MAX_ROWS - 1));
            if (email.get(row).toLowerCase(java.util.Locale.ROOT).equals(lower)) {
                return row;
            }
        }
        return -1;
    }

    /** Rows per value of a low-cardinality column (role, state, status, city), sorted by value. */
    public Map<String, Integer> counts(String column) {
        StringColumn c = switch (column) {
            case "role" -> role;
            case "state" -> state;
            case "status" -> status;
            case "city" -> city;
            default -> throw new IllegalArgumentException("no counts for column " + column);
        };
        return new TreeMap<>(c.counts());
    }

    private static int lowerBound(long[] keys, long key) {
        int lo = 0;
        int hi = keys.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The ten digits of a US phone number, or -1 when it has another count of digits (the privacy library's normalization). */
    static long phoneDigits(String s) {
        return dev.lakehouse.privacy.ContactDirectory.nanpDigits(s);
    }

    @Override
    public String workerByPhone(long nanpDigits) {
        int row = nanpDigits < 0 ? -1 : rowByPhone(Long.toString(nanpDigits));
        return row < 0 ? null : workerId(row);
    }

    @Override
    public String workerByEmail(String lowerCaseAddress) {
        int row = rowByEmail(lowerCaseAddress);
        return row < 0 ? null : workerId(row);
    }

    /** 40 bits of FNV-1a over the lower-cased address's UTF-8 bytes. */
    static long emailHash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h >>> 24;
    }
}
