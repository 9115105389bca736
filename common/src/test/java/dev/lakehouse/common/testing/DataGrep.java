package dev.lakehouse.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A plain grep of a data directory, the erasure tests' second witness beside the scan: which files hold any of the strings. */
public final class DataGrep {
    private DataGrep() {
    }

    /** The files under {@code root} whose bytes (read as ISO-8859-1, so any byte sequence is found) contain any of {@code needles}. */
    public static List<Path> files(Path root, List<String> needles) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(f -> {
                try {
                    String s = Files.readString(f, StandardCharsets.ISO_8859_1);
                    return needles.stream().anyMatch(s::contains);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
