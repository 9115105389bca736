package dev.lakehouse.matrixd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Readiness;

/**
 * The registered corpora, durable in one file {@code <data>/corpora.json}
 * ({@code {"format":1,"corpora":[…]}}).
 *
 * <p>A change is acknowledged only once the whole new file is on disk
 * ({@link AtomicFile}): a kill at any point leaves the old file or the new one,
 * never a part. Writers are serialised by {@code this}; readers
 * see an immutable snapshot map (copy-on-write), so a retrieve never waits for a
 * registration. A file that does not parse stops the start with its path: matrixd
 * never starts with an empty registry in place of a damaged one.
 */
final class CorpusRegistry {
    static final int FORMAT = 1;

    /** What {@link #put} did. */
    enum Put { NEW, REPLACED, SAME }

    record File(int format, List<MatrixdWire.Corpus> corpora) {
    }

    private final Path file;
    private volatile Map<String, MatrixdWire.Corpus> corpora = Map.of();
    private volatile boolean loaded;

    CorpusRegistry(Path dataDir) {
        this.file = dataDir.resolve("corpora.json");
    }

    Readiness readiness() {
        return loaded ? Readiness.up() : Readiness.down("loading corpora");
    }

    synchronized void load() {
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.cleanUp(file);   // a write killed before its rename
            if (Files.exists(file)) {
                File f = Json.parse(Files.readAllBytes(file), File.class);
                if (f.format() != FORMAT) {
                    throw new IllegalStateException(file + " has format " + f.format() + "; this matrixd reads " + FORMAT);
                }
                Map<String, MatrixdWire.Corpus> m = new TreeMap<>();
                f.corpora().forEach(c -> m.put(c.name(), c));
                corpora = Map.copyOf(m);
            }
            loaded = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the corpus registry " + file, e);
        } catch (ApiException e) {
            throw new IllegalStateException("the corpus registry " + file + " is damaged: " + e.detail(), e);
        }
    }

    Optional<MatrixdWire.Corpus> get(String name) {
        return Optional.ofNullable(corpora.get(name));
    }

    MatrixdWire.Corpus require(String name) {
        return get(name).orElseThrow(() -> new ApiException.NotFound("corpus_not_found", "corpus '" + name
                + "' is not registered (PUT /v1/matrix/corpora/" + name + ")"));
    }

    List<MatrixdWire.Corpus> list() {
        return new TreeMap<>(corpora).values().stream().toList();
    }

    /** Registers or replaces a corpus, durably; {@code SAME} (nothing written) when it is registered as given. */
    synchronized Put put(String name, MatrixdWire.CorpusSpec spec) {
        MatrixdWire.Corpus old = corpora.get(name);
        MatrixdWire.Corpus next = new MatrixdWire.Corpus(name, spec.index(), spec.shardUrls(), spec.weight(), spec.gate(), spec.filter(),
                old == null ? Instant.now().toString() : old.createdAt());
        if (next.equals(old)) {
            return Put.SAME;
        }
        Map<String, MatrixdWire.Corpus> m = new TreeMap<>(corpora);
        m.put(name, next);
        write(m);
        return old == null ? Put.NEW : Put.REPLACED;
    }

    /** Forgets a corpus (its vectord index is left alone); 404 when it is not registered. */
    synchronized void delete(String name) {
        require(name);
        Map<String, MatrixdWire.Corpus> m = new TreeMap<>(corpora);
        m.remove(name);
        write(m);
    }

    private void write(Map<String, MatrixdWire.Corpus> next) {
        try {
            AtomicFile.write(file, Json.bytes(new File(FORMAT, List.copyOf(next.values()))));
            corpora = Map.copyOf(next);
        } catch (IOException e) {
            throw new ApiException.Unavailable("storage_failed", "the corpus registry " + file.getFileName() + " could not be written ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
