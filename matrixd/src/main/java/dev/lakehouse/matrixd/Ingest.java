package dev.lakehouse.matrixd;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.zip.CRC32;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Json;
import dev.lakehouse.matrixd.client.EmbeddClient;
import dev.lakehouse.matrixd.client.VectordClient;

/**
 * Ingest jobs: documents → chunks ({@link Chunker}) → embeddings (embedd, in batches)
 * → points in the corpus's vectord index, on the shard a stable hash (CRC-32) of the
 * document id picks. A chunk is the point {@code <doc id>~<n>} ({@code ~} is in no document id and needs no escaping in a URL) with payload
 * {@code doc_id}, {@code chunk}, {@code text} and the document's metadata (its
 * {@code role} in lower case, for the gate). Re-ingesting a document replaces its
 * chunks: those past the new count are deleted, so none is orphaned.
 *
 * <p>Short documents are grouped so that their chunks fill embedd's batches: one
 * embed call and one upsert per shard serve many documents (the benchmark found one
 * call per one-chunk document at 0.38× embedd's own rate). A group that fails is
 * written again one document at a time (upserts are idempotent), so the failure is
 * pinned on its document and the others are kept.
 *
 * <p>A job runs on its own virtual thread, at most {@value #RUNNING} at once (the
 * rest wait their turn, at most {@value #QUEUED}, then 503 {@code busy}); its
 * progress is readable while it runs. A document that fails (embedd or vectord
 * refusing it) is counted and named, and the job goes on.
 *
 * <p>Jobs are durable: an accepted job's documents are written to
 * {@code <data>/jobs/<id>.json} (fsynced, renamed into place) before the 202, and
 * its outcome to {@code <id>.done.json} (the documents file then deleted). At start
 * every job without an outcome is run again from its first document (upserts are
 * idempotent), so a job id never 404s while its job is unfinished; the last
 * {@value #KEPT} outcomes are kept. Two jobs writing one document are serialized
 * by a lock per document (striped), so their chunks never interleave: the last
 * writer's version is whole.
 */
final class Ingest {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Ingest.class.getName());
    static final int RUNNING = 2;
    static final int QUEUED = 64;
    static final int KEPT = 1_000;
    static final int BATCH = 32;

    /** A job's state; on the wire lower case. */
    enum State {
        QUEUED, RUNNING, DONE, FAILED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code GET /v1/matrix/jobs/{id}}: what a job has done so far. */
    record Job(String id, String corpus, State state, int documents, int documentsDone, int chunks, int failures,
               List<String> errors, String createdAt, String finishedAt) {
    }

    private final CorpusRegistry registry;
    private final EmbeddClient embedd;
    private final VectordClient vectord;
    private final Chunker chunker;
    private final Semaphore running = new Semaphore(RUNNING);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Path dir;
    private final java.util.concurrent.locks.ReentrantLock[] stripes = new java.util.concurrent.locks.ReentrantLock[STRIPES];
    private int queued;
    static final int STRIPES = 256;

    /** What a job's documents file holds: enough to run it again after a restart. */
    record Spec(String id, String corpus, String createdAt, List<MatrixdWire.Document> documents) {
    }

    Ingest(Path dataDir, CorpusRegistry registry, EmbeddClient embedd, VectordClient vectord, Chunker chunker) {
        this.dir = dataDir.resolve("jobs");
        this.registry = registry;
        this.embedd = embedd;
        this.vectord = vectord;
        this.chunker = chunker;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new java.util.concurrent.locks.ReentrantLock();
        }
    }

    /**
     * Reads the jobs directory: finished jobs' outcomes are listed again, unfinished jobs are queued again (whatever their
     * number: they were accepted). Call once, before serving.
     */
    void load() {
        try {
            Files.createDirectories(dir);
            List<Job> done = new ArrayList<>();
            List<Spec> unfinished = new ArrayList<>();
            try (var files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".tmp")) {
                        Files.deleteIfExists(f);   // a write killed before its rename: the job was never acknowledged
                    } else if (name.endsWith(".done.json")) {
                        done.add(Json.parse(Files.readAllBytes(f), Job.class));
                    } else if (name.endsWith(".json")) {
                        unfinished.add(Json.parse(Files.readAllBytes(f), Spec.class));
                    }
                }
            }
            done.sort(java.util.Comparator.comparing(Job::createdAt));
            synchronized (this) {
                done.forEach(this::put);
                for (Spec spec : unfinished) {
                    if (Files.exists(doneFile(spec.id()))) {   // finished, the documents file not yet deleted
                        Files.deleteIfExists(specFile(spec.id()));
                        continue;
                    }
                    queued++;
                    put(new Job(spec.id(), spec.corpus(), State.QUEUED, spec.documents().size(), 0, 0, 0, List.of(), spec.createdAt(), null));
                }
            }
            unfinished.stream().filter(spec -> jobs.containsKey(spec.id()) && jobs.get(spec.id()).state() == State.QUEUED)
                    .forEach(spec -> threads.submit(() -> run(spec.id(), spec.corpus(), spec.documents())));
            if (!unfinished.isEmpty()) {
                LOG.info("resuming " + unfinished.size() + " ingest job(s) a stop interrupted");
            }
            loaded = true;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read matrixd's ingest jobs in " + dir, e);
        }
    }

    private volatile boolean loaded;

    /** Ready once the jobs directory is read: before that a job id could 404 while its job is unfinished. */
    dev.lakehouse.common.Readiness readiness() {
        return loaded ? dev.lakehouse.common.Readiness.up() : dev.lakehouse.common.Readiness.down("reading ingest jobs");
    }

    private Path specFile(String id) {
        return dir.resolve(id + ".json");
    }

    private Path doneFile(String id) {
        return dir.resolve(id + ".done.json");
    }

    /** What an erasure did to matrixd's own files (its documents' chunks are vectord's, erased there whole). */
    record Erased(long filesRead, long filesChanged, long recordsMasked, long recordsUnmaskable, int roleQueriesForgotten) {
    }

    /**
     * Masks a person in the ingest jobs' files (an unfinished job's documents, finished jobs' outcomes) and the corpus
     * registry, in place ({@link dev.lakehouse.common.FileErasure}); 409 {@code ingest_in_progress} while a job is
     * queued or running, since its documents are being written to vectord — the caller retries.
     */
    Erased erase(dev.lakehouse.common.SubjectIdentifiers subject, RoleResolver roles) throws IOException {
        synchronized (this) {
            if (queued > 0) {
                throw new ApiException.Conflict("ingest_in_progress", queued + " ingest job(s) queued or running; try again when they are done");
            }
        }
        dev.lakehouse.common.FileErasure.Masked m = dev.lakehouse.common.FileErasure.maskTree(dir.getParent(), subject);
        return new Erased(m.files(), m.filesChanged(), m.linesMasked(), m.linesUnmaskable(), roles.erase(subject));
    }

    /** Queues the documents for a registered corpus, durably (on disk before this returns); returns the job as it starts. */
    Job submit(String corpusName, List<MatrixdWire.Document> documents) {
        registry.require(corpusName);
        synchronized (this) {
            if (queued >= QUEUED) {
                throw new ApiException.Unavailable(null, "busy", queued + " ingest jobs are waiting; try again later",
                        Map.of("Retry-After", "5"), null);
            }
            queued++;
        }
        Job job = new Job(UUID.randomUUID().toString(), corpusName, State.QUEUED, documents.size(), 0, 0, 0, List.of(),
                Instant.now().toString(), null);
        try {
            AtomicFile.write(specFile(job.id()), out -> Json.mapper().writeValue(nonClosing(out),
                    new Spec(job.id(), corpusName, job.createdAt(), documents)));
        } catch (IOException e) {
            synchronized (this) {
                queued--;
            }
            throw new ApiException.Unavailable("storage_failed", "matrixd could not store the ingest job: " + e.getMessage());
        }
        synchronized (this) {
            put(job);
        }
        threads.submit(() -> run(job.id(), corpusName, documents));
        return job;
    }

    private static java.io.OutputStream nonClosing(java.io.OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    Optional<Job> job(String id) {
        synchronized (this) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    private void run(String id, String corpusName, List<MatrixdWire.Document> documents) {
        try {
            running.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            synchronized (this) {
                queued--;
            }
            MatrixdWire.Corpus corpus = registry.get(corpusName).orElse(null);
            if (corpus == null) {   // unregistered since: the job cannot run
                update(id, j -> new Job(j.id(), j.corpus(), State.FAILED, j.documents(), 0, 0, j.documents(),
                        List.of("corpus '" + corpusName + "' is no longer registered"), j.createdAt(), Instant.now().toString()));
                finish(id);
                return;
            }
            update(id, j -> with(j, State.RUNNING, 0, 0, null));
            // documents go in groups whose chunks fill embedd batches: one embed call and one upsert per shard for many
            // short documents, and a long document alone
            List<MatrixdWire.Document> group = new ArrayList<>();
            int groupChunks = 0;
            for (MatrixdWire.Document d : documents) {
                group.add(d);
                groupChunks += Math.max(1, d.text().length() / chunker.size());
                if (groupChunks >= BATCH) {
                    group(id, corpus, group);
                    group = new ArrayList<>();
                    groupChunks = 0;
                }
            }
            if (!group.isEmpty()) {
                group(id, corpus, group);
            }
            update(id, j -> new Job(j.id(), j.corpus(), j.failures() == j.documents() && j.documents() > 0 ? State.FAILED : State.DONE,
                    j.documents(), j.documentsDone(), j.chunks(), j.failures(), j.errors(), j.createdAt(), Instant.now().toString()));
            finish(id);
        } finally {
            running.release();
        }
    }

    /** Writes a finished job's outcome, then drops its documents file: from here a restart lists it, never runs it. */
    private void finish(String id) {
        Job j = job(id).orElse(null);
        if (j == null) {
            return;
        }
        try {
            AtomicFile.write(doneFile(id), Json.bytes(j));
            Files.deleteIfExists(specFile(id));
        } catch (IOException e) {   // the job runs again after a restart: harmless, its writes are idempotent
            LOG.warning("could not record the outcome of ingest job " + id + ": " + e.getMessage());
        }
    }

    /** A group of documents: chunked, embedded in batches, upserted per shard; a group that fails goes again one by one. */
    private void group(String id, MatrixdWire.Corpus corpus, List<MatrixdWire.Document> group) {
        try {
            List<Integer> counts = write(corpus, group);
            int chunks = counts.stream().mapToInt(Integer::intValue).sum();
            update(id, j -> with(j, State.RUNNING, group.size(), chunks, null));
        } catch (ApiException e) {
            if (group.size() == 1) {
                update(id, j -> with(j, State.RUNNING, 1, 0, group.get(0).id() + ": " + e.code() + ": " + e.detail()));
                return;
            }
            for (MatrixdWire.Document d : group) {   // find the document that failed; the others are written
                group(id, corpus, List.of(d));
            }
        }
    }

    /**
     * The documents' chunks embedded ({@value #BATCH} a call) and upserted, each on its document's shard, then the
     * chunks an earlier, longer version of each document left deleted. Returns the chunk count of each document.
     */
    private List<Integer> write(MatrixdWire.Corpus corpus, List<MatrixdWire.Document> docs) {
        int[] held = docs.stream().mapToInt(d -> Math.floorMod((corpus.index() + "\u0000" + d.id()).hashCode(), STRIPES))
                .distinct().sorted().toArray();   // in one order: two jobs never wait on each other's stripes
        for (int s : held) {
            stripes[s].lock();
        }
        try {
            return writeLocked(corpus, docs);
        } finally {
            for (int s : held) {
                stripes[s].unlock();
            }
        }
    }

    private List<Integer> writeLocked(MatrixdWire.Corpus corpus, List<MatrixdWire.Document> docs) {
        record Chunk(MatrixdWire.Document doc, int n, String text) {
        }
        List<Chunk> chunks = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (MatrixdWire.Document d : docs) {
            List<String> texts = chunker.chunks(d.text());
            counts.add(texts.size());
            for (int n = 0; n < texts.size(); n++) {
                chunks.add(new Chunk(d, n, texts.get(n)));
            }
        }
        for (int from = 0; from < chunks.size(); from += BATCH) {
            List<Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + BATCH));
            List<float[]> vectors = embedd.embedAll(batch.stream().map(Chunk::text).toList());
            Map<URI, List<VectordClient.Point>> byShard = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                Chunk c = batch.get(i);
                ObjectNode payload = c.doc().metadata() == null ? Json.mapper().createObjectNode() : c.doc().metadata().deepCopy();
                if (payload.path("role").isTextual()) {
                    payload.put("role", RoleGate.normal(payload.path("role").asText()));
                }
                payload.put("doc_id", c.doc().id()).put("chunk", c.n()).put("text", c.text());
                byShard.computeIfAbsent(shardOf(corpus, c.doc().id()), k -> new ArrayList<>()).add(new VectordClient.Point(c.doc().id() + "~" + c.n(),
                        vectors.get(i), payload));
            }
            byShard.forEach((shard, points) -> vectord.upsert(shard, corpus.index(), points));
        }
        for (int i = 0; i < docs.size(); i++) {
            MatrixdWire.Document d = docs.get(i);
            URI shard = shardOf(corpus, d.id());
            for (int n = counts.get(i); vectord.deleteIfPresent(shard, corpus.index(), d.id() + "~" + n); n++) {
                // an earlier version of this document had more chunks: no orphans
            }
        }
        return counts;
    }

    private static URI shardOf(MatrixdWire.Corpus corpus, String docId) {
        return corpus.shards().get(shard(docId, corpus.shards().size()));
    }

    /** The shard of a document: CRC-32 of its id's UTF-8 bytes, modulo the shards. Stable across processes and releases. */
    static int shard(String docId, int shards) {
        CRC32 crc = new CRC32();
        crc.update(docId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards);
    }

    private Job with(Job j, State state, int doneDelta, int chunkDelta, String error) {
        List<String> errors = j.errors();
        int failures = j.failures();
        if (error != null) {
            failures++;
            if (errors.size() < 20) {
                errors = new ArrayList<>(errors);
                errors.add(error);
                errors = List.copyOf(errors);
            }
        }
        return new Job(j.id(), j.corpus(), state, j.documents(), j.documentsDone() + doneDelta, j.chunks() + chunkDelta, failures,
                errors, j.createdAt(), j.finishedAt());
    }

    private synchronized void update(String id, java.util.function.UnaryOperator<Job> change) {
        Job j = jobs.get(id);
        if (j != null) {
            jobs.put(id, change.apply(j));
        }
    }

    /** Lists a job; past {@value #KEPT}, the oldest finished one is forgotten (with its outcome file), never an unfinished one. */
    private void put(Job job) {
        jobs.put(job.id(), job);
        if (jobs.size() > KEPT) {
            for (var it = jobs.values().iterator(); it.hasNext(); ) {
                Job old = it.next();
                if (old.finishedAt() != null) {
                    it.remove();
                    try {
                        Files.deleteIfExists(doneFile(old.id()));
                    } catch (IOException e) {
                        LOG.fine("could not delete " + doneFile(old.id()) + ": " + e.getMessage());
                    }
                    break;
                }
            }
        }
    }

    void close() {
        threads.shutdownNow();
    }
}
