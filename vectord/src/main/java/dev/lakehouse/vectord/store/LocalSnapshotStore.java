package dev.lakehouse.vectord.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Snapshots in a local directory. A write goes to a temporary name, is
 * fsynced, renamed over the key atomically, and the directory is fsynced, so a
 * crash at any point leaves the old object or the new one.
 */
public final class LocalSnapshotStore implements SnapshotStore {
    private final Path root;

    public LocalSnapshotStore(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
    }

    private Path path(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key escapes the store: " + key);
        }
        return p;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        commit(tmp, target);
    }

    @Override
    public void write(String key, byte[] bytes) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        commit(tmp, target);
    }

    private static void commit(Path tmp, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public boolean get(String key, Path target) throws IOException {
        Path p = path(key);
        if (!Files.exists(p)) {
            return false;
        }
        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /** The file itself, with no copy (local store only). */
    public Path file(String key) {
        return path(key);
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        Path p = path(key);
        return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix) && !k.endsWith(".tmp")).sorted().toList();
        }
    }

    @Override
    public String describe() {
        return "local directory " + root;
    }
}
