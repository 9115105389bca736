package dev.lakehouse.validatord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.logging.Logger;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Readiness;
import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.RosterSnapshot;

/**
 * The roster as validatord sees it: loading, loaded, or failed (missing or
 * corrupt file) — in which case the daemon stays up, {@code /ready} says why, and
 * whatever needs the roster answers 503 {@code roster_unavailable} naming the file.
 */
final class RosterHolder {
    private static final Logger LOG = Logger.getLogger(RosterHolder.class.getName());

    private final Path file;
    private final Path snapshot;
    private volatile Roster roster;
    private volatile String problem = "loading";
    private volatile boolean missingFile;
    private volatile Stats stats;
    private volatile java.time.Instant fileTime = java.time.Instant.EPOCH;

    private final RosterFetch fetch;

    /** @param snapshot where the roster is saved as loaded, for a fast next start ({@link RosterSnapshot}) */
    RosterHolder(Path file, Path snapshot) {
        this(file, snapshot, null);
    }

    /** @param fetch where to fetch the roster from into {@code file} before loading it (null: the file as it is) */
    RosterHolder(Path file, Path snapshot, RosterFetch fetch) {
        this.file = file;
        this.snapshot = snapshot;
        this.fetch = fetch;
    }

    /** Loads the roster on a thread of its own; returns at once. */
    RosterHolder loadInBackground() {
        Thread.ofPlatform().name("roster-loader").daemon().start(this::load);
        return this;
    }

    /**
     * What went wrong, naming the roster by its file name only: what /ready and a problem body say never tells a caller
     * where the server keeps its files (issue 31); the log line below keeps the whole path for the operator.
     */
    private String withoutPaths(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return file.getFileName() + " does not exist";
        }
        String m = String.valueOf(e.getMessage());
        Path dir = file.toAbsolutePath().getParent();
        return dir == null ? m : m.replace(dir.toString() + java.io.File.separator, "").replace(dir.toString(), "…");
    }

    void load() {
        if (fetch != null) {
            try {
                problem = "fetching";
                long t = System.nanoTime();
                fetch.into(file);
                LOG.info("roster fetched from " + fetch.shown() + " into " + file.getFileName() + " in " + (System.nanoTime() - t) / 1_000_000 + " ms");
            } catch (IOException | RuntimeException e) {
                if (!Files.exists(file)) {
                    problem = "failed: " + e.getMessage();
                    LOG.severe("roster could not be fetched: " + e.getMessage());
                    return;
                }
                LOG.warning("roster could not be fetched (" + e.getMessage() + "); loading the copy already at " + file);
            }
        }
        loadFile();
    }

    /** Loads the roster file as it is (its snapshot when that is the file's). */
    private void loadFile() {
        long t0 = System.nanoTime();
        try {
            long bytes = Files.size(file);
            java.time.Instant written = Files.getLastModifiedTime(file).toInstant();
            RosterSnapshot.Loaded loaded = RosterSnapshot.load(file, snapshot);
            Roster r = loaded.roster();
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            stats = stats(r, bytes, loadMs);
            fileTime = written;
            roster = r;
            problem = null;
            // the file's name at INFO: no server path in a line at INFO (issue 31)
            LOG.info("roster " + file.getFileName() + " loaded: " + r.size() + " workers in " + loadMs + " ms"
                    + (loaded.fromSnapshot() ? " (from its snapshot " + snapshot.getFileName() + ")" : ""));
        } catch (Exception | OutOfMemoryError e) {
            missingFile = e instanceof java.nio.file.NoSuchFileException;
            problem = "failed: " + withoutPaths(e);
            LOG.severe("roster " + file + " could not be loaded: " + e.getMessage()
                    + (Files.exists(file) ? "" : " (make one with: bin/lakehouse roster generate --out " + file + ")"));
        }
    }

    /** What an erasure did to the roster: rows removed, and whether the roster is fetched (to be erased at its source too). */
    record Erased(int workersRemoved, boolean fetchedFromSource) {
    }

    /**
     * Removes a person's rows from the roster file ({@link dev.lakehouse.validatord.roster.RosterErasure}) and serves the
     * roster without them: the loaded one minus those rows when it is the file's (its rows are the file's, in order),
     * saved as the new file's snapshot; else the new file loaded (the old roster serves until then). A fetched roster is
     * erased here and must be erased at its source as well, or the next fetch brings the person back: the answer says so.
     */
    synchronized Erased erase(dev.lakehouse.common.SubjectIdentifiers subject) throws java.io.IOException {
        Roster before = require();
        java.time.Instant loadedFileTime = fileTime;
        boolean sameFile = Files.getLastModifiedTime(file).toInstant().equals(loadedFileTime);
        java.util.BitSet removed = dev.lakehouse.validatord.roster.RosterErasure.rewrite(file, subject);
        if (!removed.isEmpty()) {
            Files.deleteIfExists(snapshot);
            if (sameFile && removed.length() <= before.size()) {
                long t0 = System.nanoTime();
                Roster after = before.without(removed);
                RosterSnapshot.save(file, snapshot, after);
                stats = stats(after, Files.size(file), (System.nanoTime() - t0) / 1_000_000);
                fileTime = Files.getLastModifiedTime(file).toInstant();
                roster = after;
            } else {
                loadFile();
                require();
            }
        }
        return new Erased(removed.cardinality(), fetch != null);
    }

    /** When the loaded roster file was written: what its values are "as of". */
    java.time.Instant fileTime() {
        return fileTime;
    }

    Readiness readiness() {
        if (roster != null) {
            return Readiness.up();
        }
        // a missing or unreadable file waits for an operator (a restart reads the same file): validatord stays up, not
        // ready, and is not restarted in a loop
        return "loading".equals(problem) || "fetching".equals(problem) ? Readiness.down(problem)
                : Readiness.needsOperator(problem + (missingFile ? "; put the roster there" : "; fix it") + " and restart validatord");
    }

    /** The roster, or 503 naming it when it is loading or failed. */
    Roster require() {
        Roster r = roster;
        if (r == null) {
            throw new ApiException.Unavailable("roster", "roster_unavailable", "the roster " + file.getFileName() + " is "
                    + ("loading".equals(problem) ? "still loading" : "unavailable: " + problem), Map.of("Retry-After",
                    "loading".equals(problem) ? "2" : "60"), null);
        }
        return r;
    }

    /** {@code GET /v1/roster/stats}: the loaded file, its size, the load time, and the workers by status, role and state. */
    record Stats(String file, long fileBytes, int workers, int active, int inactive, long loadMs, Map<String, Integer> roles,
                 Map<String, Integer> states) {
    }

    Stats stats() {
        require();
        return stats;
    }

    private Stats stats(Roster r, long fileBytes, long loadMs) {
        int active = r.counts("status").getOrDefault("active", 0);
        return new Stats(file.toString(), fileBytes, r.size(), active, r.size() - active, loadMs, Collections.unmodifiableMap(r.counts("role")),
                Collections.unmodifiableMap(r.counts("state")));
    }
}
