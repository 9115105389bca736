package dev.lakehouse.matrixd;

import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * <p>A job runs on its own virtual thread, at most {@value #RUNNING} at once (the
 * rest wait their turn, at most {@value #QUEUED}, then 503 {@code busy}); its
 * progress is readable while it runs. A document that fails (embedd or vectord
 * refusing it) is counted and named, and the job goes on. Jobs are kept in memory:
 * the last {@value #KEPT} are listed; a restart forgets them (the points written
 * stay written).
 */
final class Ingest {
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
    private int queued;

    Ingest(CorpusRegistry registry, EmbeddClient embedd, VectordClient vectord, Chunker chunker) {
        this.registry = registry;
        this.embedd = embedd;
        this.vectord = vectord;
        this.chunker = chunker;
    }

    /** Queues the documents for a registered corpus; returns the job as it starts. */
    Job submit(String corpusName, List<MatrixdWire.Document> documents) {
        MatrixdWire.Corpus corpus = registry.require(corpusName);
        Job job;
        synchronized (this) {
            if (queued >= QUEUED) {
                throw new ApiException.Unavailable(null, "busy", queued + " ingest jobs are waiting; try again later",
                        Map.of("Retry-After", "5"), null);
            }
            queued++;
            job = new Job(UUID.randomUUID().toString(), corpusName, State.QUEUED, documents.size(), 0, 0, 0, List.of(),
                    Instant.now().toString(), null);
            put(job);
        }
        String id = job.id();
        threads.submit(() -> run(id, corpus, documents));
        return job;
    }

    Optional<Job> job(String id) {
        synchronized (this) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    private void run(String id, MatrixdWire.Corpus corpus, List<MatrixdWire.Document> documents) {
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
            update(id, j -> with(j, State.RUNNING, 0, 0, null));
            for (MatrixdWire.Document d : documents) {
                try {
                    int n = document(corpus, d);
                    update(id, j -> with(j, State.RUNNING, 1, n, null));
                } catch (ApiException e) {
                    update(id, j -> with(j, State.RUNNING, 1, 0, d.id() + ": " + e.code() + ": " + e.detail()));
                }
            }
            update(id, j -> new Job(j.id(), j.corpus(), j.failures() == j.documents() && j.documents() > 0 ? State.FAILED : State.DONE,
                    j.documents(), j.documentsDone(), j.chunks(), j.failures(), j.errors(), j.createdAt(), Instant.now().toString()));
        } finally {
            running.release();
        }
    }

    /** One document: its chunks embedded and upserted, and its chunks from an earlier, longer version deleted. */
    private int document(MatrixdWire.Corpus corpus, MatrixdWire.Document d) {
        URI shard = corpus.shards().get(shard(d.id(), corpus.shards().size()));
        List<String> chunks = chunker.chunks(d.text());
        for (int from = 0; from < chunks.size(); from += BATCH) {
            List<String> batch = chunks.subList(from, Math.min(chunks.size(), from + BATCH));
            List<float[]> vectors = embedd.embedAll(batch);
            List<VectordClient.Point> points = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                ObjectNode payload = d.metadata() == null ? Json.mapper().createObjectNode() : d.metadata().deepCopy();
                if (payload.path("role").isTextual()) {
                    payload.put("role", RoleGate.normal(payload.path("role").asText()));
                }
                payload.put("doc_id", d.id()).put("chunk", from + i).put("text", batch.get(i));
                points.add(new VectordClient.Point(d.id() + "~" + (from + i), vectors.get(i), payload));
            }
            vectord.upsert(shard, corpus.index(), points);
        }
        for (int n = chunks.size(); vectord.deleteIfPresent(shard, corpus.index(), d.id() + "~" + n); n++) {
            // an earlier version of this document had more chunks: no orphans
        }
        return chunks.size();
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

    private void put(Job job) {
        jobs.put(job.id(), job);
        if (jobs.size() > KEPT) {
            jobs.remove(jobs.keySet().iterator().next());
        }
    }

    void close() {
        threads.shutdownNow();
    }
}
