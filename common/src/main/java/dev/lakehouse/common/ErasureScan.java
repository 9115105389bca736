package dev.lakehouse.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The erasure's proof: a scan of a data directory for the subject's identifiers by a detector that shares nothing
 * with {@link SubjectIdentifiers} (STYLE.md: a guard is checked by an independent oracle). It reads raw bytes, ASCII
 * letters folded to lower case, and looks for each identifier in the forms people write it: as given; a number also as
 * its digits alone, NANP numbers as {@code 614-555-0101}, {@code (614) 555-0101}, {@code 614.555.0101},
 * {@code 614 555 0101}, {@code +1 614…}, nine digits as an SSN {@code 123-45-6789}, {@code 123 45 6789}; a name also
 * as "last, first". It is broader than the matcher (substrings count), so a clean scan is strong evidence, and a hit
 * names the file (relative to the directory, never the identifier).
 */
public final class ErasureScan {
    private static final int BLOCK = 1 << 20;

    private ErasureScan() {
    }

    /** Files read, bytes, matches, the files with matches (relative paths, at most 20), time. */
    public record Report(long files, long bytes, long matches, List<String> filesWithMatches, long tookMs) {
        public static final Report EMPTY = new Report(0, 0, 0, List.of(), 0);

        public Report plus(Report o) {
            List<String> f = new ArrayList<>(filesWithMatches);
            o.filesWithMatches.stream().filter(x -> f.size() < 20).forEach(f::add);
            return new Report(files + o.files, bytes + o.bytes, matches + o.matches, List.copyOf(f), tookMs + o.tookMs);
        }
    }

    /** Scans every file under {@code root}; {@code decode} gives the text of files whose bytes hide it (a compressed Parquet file). */
    public static Report scan(Path root, List<String> identifiers, Function<Path, Optional<String>> decode) throws IOException {
        long t0 = System.nanoTime();
        if (root == null || !Files.exists(root)) {
            return Report.EMPTY;
        }
        List<byte[]> needles = needles(identifiers);
        long bytes = 0;
        long matches = 0;
        long read = 0;
        List<String> hit = new ArrayList<>();
        // a daemon keeps working while it is scanned (vectord's compaction snapshots in the background): a file renamed
        // or removed meanwhile is passed over, and the files that appeared meanwhile are read in another pass
        Set<Path> seen = new java.util.HashSet<>();
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            List<Path> files = list(root).stream().filter(seen::add).toList();
            if (files.isEmpty()) {
                break;
            }
            for (Path f : files) {
                long n;
                long size;
                Optional<String> text = decode.apply(f);
                if (text.isPresent()) {
                    byte[] b = text.get().getBytes(StandardCharsets.UTF_8);
                    size = b.length;
                    n = count(new java.io.ByteArrayInputStream(b), needles);
                } else {
                    try (InputStream in = Files.newInputStream(f)) {
                        size = Files.size(f);
                        n = count(in, needles);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        continue;   // removed while scanning (a rotated segment, a temporary file renamed)
                    }
                }
                read++;
                bytes += size;
                matches += n;
                if (n > 0 && hit.size() < 20) {
                    hit.add(f.equals(root) ? f.getFileName().toString() : root.relativize(f).toString());
                }
            }
        }
        return new Report(read, bytes, matches, List.copyOf(hit), (System.nanoTime() - t0) / 1_000_000);
    }

    private static final int MAX_PASSES = 4;

    /** The regular files under {@code root} (or {@code root} itself), sorted; an entry that vanishes while listed is left out. */
    private static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    out.add(f);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        out.sort(null);
        return out;
    }

    public static Report scan(Path root, List<String> identifiers) throws IOException {
        return scan(root, identifiers, f -> Optional.empty());
    }

    /** The forms searched for, lower case, UTF-8. */
    static List<byte[]> needles(List<String> identifiers) {
        Set<String> forms = new LinkedHashSet<>();
        for (String raw : identifiers) {
            String id = raw.strip().toLowerCase(Locale.ROOT);
            forms.add(id);
            if (id.chars().allMatch(c -> Character.isDigit(c) || " ().+/-".indexOf(c) >= 0)) {
                String d = id.replaceAll("[^0-9]", "");
                if (d.length() == 11 && d.startsWith("1")) {
                    d = d.substring(1);
                }
                forms.add(d);
                if (d.length() == 10) {
                    String a = d.substring(0, 3), b = d.substring(3, 6), c = d.substring(6);
                    for (String f : List.of(a + "-" + b + "-" + c, "(" + a + ") " + b + "-" + c, "(" + a + ")" + b + "-" + c,
                            a + "." + b + "." + c, a + " " + b + " " + c, a + " " + b + "-" + c)) {
                        forms.add(f);
                    }
                } else if (d.length() == 9) {
                    String a = d.substring(0, 3), b = d.substring(3, 5), c = d.substring(5);
                    forms.add(a + "-" + b + "-" + c);
                    forms.add(a + " " + b + " " + c);
                    forms.add(a + "." + b + "." + c);
                }
            } else if (id.indexOf('@') < 0) {
                String[] w = id.split("\\s+");
                forms.add(String.join(" ", w));
                if (w.length == 2) {
                    forms.add(w[1] + ", " + w[0]);
                }
            }
        }
        return forms.stream().filter(f -> !f.isEmpty()).map(f -> f.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Occurrences of any needle, ASCII case folded, read in blocks that overlap by the longest needle; one pass over the bytes. */
    static long count(InputStream in, List<byte[]> needles) throws IOException {
        int overlap = needles.stream().mapToInt(n -> n.length).max().orElse(1) - 1;
        List<List<byte[]>> byFirst = new ArrayList<>(256);
        for (int i = 0; i < 256; i++) {
            byFirst.add(null);
        }
        for (byte[] n : needles) {
            int f = n[0] & 0xff;
            if (byFirst.get(f) == null) {
                byFirst.set(f, new ArrayList<>());
            }
            byFirst.get(f).add(n);
        }
        byte[] buf = new byte[BLOCK + overlap];
        int have = 0;
        long found = 0;
        boolean first = true;
        while (true) {
            int r = in.readNBytes(buf, have, BLOCK);
            int end = have + r;
            for (int i = first ? 0 : have; i < end; i++) {
                byte c = buf[i];
                if (c >= 'A' && c <= 'Z') {
                    buf[i] = (byte) (c + 32);
                }
            }
            int seen = first ? 0 : have;
            for (int i = 0; i < end; i++) {
                List<byte[]> candidates = byFirst.get(buf[i] & 0xff);
                if (candidates == null) {
                    continue;
                }
                outer:
                for (byte[] n : candidates) {
                    if (i + n.length > end || i + n.length <= seen) {
                        continue;
                    }
                    for (int j = 1; j < n.length; j++) {
                        if (buf[i + j] != n[j]) {
                            continue outer;
                        }
                    }
                    found++;
                }
            }
            if (r < BLOCK) {
                return found;
            }
            int keep = Math.min(overlap, end);
            System.arraycopy(buf, end - keep, buf, 0, keep);
            have = keep;
            first = false;
        }
    }
}
