package dev.lakehouse.vectord.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where snapshots and manifests live: a local directory ({@link LocalSnapshotStore},
 * the default) or S3-compatible object storage ({@link S3SnapshotStore}). Keys are relative paths such as
 * {@code jobs/manifest.json}. Writes are atomic: a reader sees the old object or
 * the new one, never a part. (The WAL always stays on local disk: it needs fsync.)
 */
public interface SnapshotStore {
    /** Stores the bytes of a local file under {@code key}. */
    void put(String key, Path file) throws IOException;

    /** Copies {@code key} to a local file; false when there is no such key. */
    boolean get(String key, Path target) throws IOException;

    void write(String key, byte[] bytes) throws IOException;

    Optional<byte[]> read(String key) throws IOException;

    void delete(String key) throws IOException;

    /** Keys that start with {@code prefix}. */
    List<String> list(String prefix) throws IOException;

    /** Where it is, for logs and docs. */
    String describe();
}
