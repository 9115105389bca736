package dev.lakehouse.validatord.roster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A column of strings kept compact: dictionary-encoded (each distinct value once,
 * a 2-byte code per row) while it has at most {@value #MAX_DICTIONARY} distinct
 * values — names, roles, cities, states, skills, status — and otherwise as one
 * UTF-8 byte arena with an offset per row (phones, emails): no String objects per row.
 */
final class StringColumn {
    static final int MAX_DICTIONARY = 65_536;

    // dictionary form
    private final String[] dictionary;
    private final char[] codes;
    // arena form
    private final byte[] arena;
    private final int[] offsets;
    private final int size;

    private StringColumn(String[] dictionary, char[] codes, byte[] arena, int[] offsets, int size) {
        this.dictionary = dictionary;
        this.codes = codes;
        this.arena = arena;
        this.offsets = offsets;
        this.size = size;
    }

    String get(int row) {
        if (dictionary != null) {
            return dictionary[codes[row]];
        }
        return new String(arena, offsets[row], offsets[row + 1] - offsets[row], StandardCharsets.UTF_8);
    }

    /** Whether row's value equals {@code value}, without building a String in the arena form. */
    boolean equalsAt(int row, String value) {
        if (dictionary != null) {
            return dictionary[codes[row]].equals(value);
        }
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return Arrays.equals(arena, offsets[row], offsets[row + 1], v, 0, v.length);
    }

    int size() {
        return size;
    }

    /** Distinct values with their row counts; only for a dictionary column. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        if (dictionary != null) {
            int[] n = new int[dictionary.length];
            for (int i = 0; i < size; i++) {
                n[codes[i]]++;
            }
            for (int i = 0; i < dictionary.length; i++) {
                counts.put(dictionary[i], n[i]);
            }
        }
        return counts;
    }

    /** Writes the column as {@link #read} reads it back: its form, then its arrays. */
    void write(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeInt(size);
        if (dictionary != null) {
            out.writeByte(0);
            out.writeInt(dictionary.length);
            for (String value : dictionary) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
            for (int i = 0; i < size; i++) {
                out.writeChar(codes[i]);
            }
        } else {
            out.writeByte(1);
            out.writeInt(arena.length);
            out.write(arena);
            for (int i = 0; i <= size; i++) {
                out.writeInt(offsets[i]);
            }
        }
    }

    /**
     * A column as {@link #write} wrote it, checked as it is read (every code within the
     * dictionary, offsets rising to the arena's end): a snapshot that does not hold is refused.
     */
    static StringColumn read(java.nio.ByteBuffer in, int expectedSize) {
        int n = in.getInt();
        if (n != expectedSize) {
            throw new IllegalArgumentException("column of " + n + " rows, expected " + expectedSize);
        }
        byte form = in.get();
        if (form == 0) {
            String[] dictionary = new String[count(in.getInt(), MAX_DICTIONARY, "dictionary")];
            for (int i = 0; i < dictionary.length; i++) {
                byte[] bytes = new byte[count(in.getInt(), in.remaining(), "value")];
                in.get(bytes);
                dictionary[i] = new String(bytes, StandardCharsets.UTF_8);
            }
            char[] codes = new char[n];
            in.asCharBuffer().get(codes);
            in.position(in.position() + 2 * n);
            for (char c : codes) {
                if (c >= dictionary.length) {
                    throw new IllegalArgumentException("code " + (int) c + " past a dictionary of " + dictionary.length);
                }
            }
            return new StringColumn(dictionary, codes, null, null, n);
        }
        if (form != 1) {
            throw new IllegalArgumentException("unknown column form " + form);
        }
        byte[] arena = new byte[count(in.getInt(), in.remaining(), "arena")];
        in.get(arena);
        int[] offsets = new int[n + 1];
        in.asIntBuffer().get(offsets);
        in.position(in.position() + 4 * (n + 1));
        if (offsets[0] != 0 || offsets[n] != arena.length) {
            throw new IllegalArgumentException("offsets do not span the arena");
        }
        for (int i = 1; i <= n; i++) {
            if (offsets[i] < offsets[i - 1]) {
                throw new IllegalArgumentException("offsets fall at row " + i);
            }
        }
        return new StringColumn(null, null, arena, offsets, n);
    }

    private static int count(int n, int max, String what) {
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(what + " length " + n + " out of range");
        }
        return n;
    }

    /** Builds a column row by row, switching from dictionary to arena once it sees too many distinct values. */
    static final class Builder {
        private Map<String, Character> index = new HashMap<>();
        private List<String> dictionary = new ArrayList<>();
        private char[] codes;
        private byte[] arena;
        private int[] offsets;
        private int size;

        Builder(int expectedRows) {
            codes = new char[Math.max(16, expectedRows)];
        }

        void add(String value) {
            if (index != null) {
                Character code = index.get(value);
                if (code == null && dictionary.size() < MAX_DICTIONARY) {
                    code = (char) dictionary.size();
                    index.put(value, code);
                    dictionary.add(value);
                }
                if (code != null) {
                    if (size == codes.length) {
                        codes = Arrays.copyOf(codes, size * 2);
                    }
                    codes[size++] = code;
                    return;
                }
                toArena();
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            int end = offsets[size];
            if (end + bytes.length > arena.length) {
                arena = Arrays.copyOf(arena, Math.max(arena.length * 2, end + bytes.length));
            }
            System.arraycopy(bytes, 0, arena, end, bytes.length);
            if (size + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[++size] = end + bytes.length;
        }

        private void toArena() {
            arena = new byte[Math.max(1024, codes.length * 24)];
            offsets = new int[codes.length + 1];
            int rows = size;
            List<String> dict = dictionary;
            char[] old = codes;
            index = null;
            dictionary = null;
            codes = null;
            size = 0;
            for (int i = 0; i < rows; i++) {
                add(dict.get(old[i]));
            }
        }

        StringColumn build() {
            if (index != null) {
                return new StringColumn(dictionary.toArray(String[]::new), Arrays.copyOf(codes, size), null, null, size);
            }
            return new StringColumn(null, null, Arrays.copyOf(arena, offsets[size]), Arrays.copyOf(offsets, size + 1), size);
        }
    }
}
