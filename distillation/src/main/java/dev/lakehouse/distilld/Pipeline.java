package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;
import dev.lakehouse.distillation.CanonicalJson;

/**
 * One distillation run over observerd's day files (docs/distilld.md): materialize → score →
 * export, into a run directory, with a summary. Streaming throughout: evidence goes to
 * {@code evidence.jsonl} as it is made, and scoring and export read it back a batch at a time —
 * scored on {@code threads} threads, written in input order, so the bytes do not depend on the
 * thread count. The watermark (each day file's offset after the last line read) is saved only
 * after the whole run succeeded; {@code full} starts from the beginning of every file.
 */
public final class Pipeline {
    static final int BATCH = 1_000;
    /**
     * A batch is also cut at this many bytes of evidence lines: two batches are in hand at a time (one scored, one
     * written), and a thousand records of up to a few MiB each would be gigabytes.
     */
    static final long BATCH_BYTES = 4L << 20;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The stages a run may be asked for; materialize always runs (the others read its evidence). */
    public enum Stage {
        MATERIALIZE, SCORE, EXPORT_SFT, EXPORT_RAG, EXPORT_PREFERENCE;

        @com.fasterxml.jackson.annotation.JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static final Set<Stage> ALL = java.util.EnumSet.allOf(Stage.class);
    }

    /** How a run goes: the stages, events since when (null: all after the watermark), from scratch or not. */
    public record Options(Path observations, Path runDir, Path watermarkFile, Set<Stage> stages, java.time.Instant since, boolean full,
                          int threads, Set<String> flaggedProviders, Path roster) {
    }

    /** Hears a run's progress: the stage, the work done, the work there is (bytes or records). */
    @FunctionalInterface
    public interface Progress {
        void at(String stage, long done, long total);
    }

    private Pipeline() {
    }

    /**
     * Runs the stages asked for; answers the summary (also written to {@code summary.json}). Holds the lock
     * {@code run.lock} beside the watermark for the whole run, so two runs over one data directory — the daemon's
     * and the CLI's — never overlap: the second fails at once, naming the lock.
     */
    public static RunSummary run(Options o, Progress progress) throws IOException {
        Path lockFile = o.watermarkFile().toAbsolutePath().resolveSibling("run.lock");
        Files.createDirectories(lockFile.getParent());
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock lock = ch.tryLock()) {
            if (lock == null) {
                throw new IOException("another distill run holds " + lockFile);
            }
            return locked(o, progress);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IOException("another distill run in this process holds " + lockFile, e);
        }
    }

    private static RunSummary locked(Options o, Progress progress) throws IOException {
        Files.createDirectories(o.runDir());
        List<Path> files = JsonLines.list(o.observations(), "\\d{4}-\\d{2}-\\d{2}\\.jsonl");
        Map<String, Long> from = o.full() ? Map.of() : readWatermark(o.watermarkFile());
        Path stateDir = o.watermarkFile().toAbsolutePath().getParent();
        DedupHistory history = DedupHistory.open(stateDir, dedupName(o.watermarkFile()));
        long total = 0;
        for (Path f : files) {
            total += Math.max(0, Files.size(f) - from.getOrDefault(f.getFileName().toString(), 0L));
        }

        long t0 = System.nanoTime();
        QuarantineReview review = new QuarantineReview(o.watermarkFile().toAbsolutePath().getParent());
        long decisions = review.count();
        long releasedFrom = from.getOrDefault(Materializer.RELEASED, 0L);
        Materializer.Result m;
        Exporter.Out evidence = new Exporter.Out(o.runDir().resolve("evidence.jsonl"));
        Exporter.Out quarantine = new Exporter.Out(o.runDir().resolve("quarantine.jsonl"));
        // with more than one thread, observation lines are parsed on a pool a batch ahead of the materializer
        try (evidence; quarantine; ExecutorService parsers = o.threads() > 1 ? Executors.newFixedThreadPool(o.threads()) : null) {
            long all = total;
            long[] done = {0};
            List<List<dev.lakehouse.observerd.ObserveEvent>> pendingIn = o.full() ? List.of() : readPending(o.watermarkFile());
            writePending(o.runDir().resolve(PENDING_IN), pendingIn);   // the audit's dry run starts from it too
            // a full run reads everything again and makes it again: earlier runs' records are not its duplicates
            DedupHistory earlier = o.full() ? DedupHistory.EMPTY : history;
            m = materializer(evidence, quarantine, o.since()).history(earlier).parseOn(parsers, o.threads())
                    .dedupIn(o.runDir().resolve("dedup-spill"), RunDedup.DEFAULT_LIMIT).run(files, from, null, review.releasedFrom(releasedFrom, decisions),
                    releasedFrom, pendingIn, n -> {
                done[0] += n;
                if (done[0] % (1 << 20) < n || done[0] == all) {
                    progress.at("materialize", done[0], all);
                }
            });
        }
        try (RunDedup made = m.made()) {
            RunSummary.Inputs inputs = inputs(o, from, m.watermark(), releasedFrom, decisions);
            RunSummary.Materialize ms = new RunSummary.Materialize(m.lines(), m.beforeSince(), m.eventsInEvidence(), m.quarantined(),
                    m.duplicateEvents(), m.replayEvents(), m.shadowEvents(), m.iterateCalls(), m.pendingInEvents(), m.pendingOutEvents(),
                    m.duplicatesOfEarlierRuns(), m.evidence(), m.conserved(), new TreeMap<>(m.byType()), new TreeMap<>(m.byReason()), (System.nanoTime() - t0) / 1_000_000);

            if (o.stages().equals(Set.of(Stage.MATERIALIZE))) {
                return finish(o, new RunSummary.Stages(ms, null, null), inputs, t0, m, evidence, quarantine, null, decisions, history);
            }
            Privacy privacy = Privacy.load(o.roster());
            inputs = inputs.with(inputs.roster(), privacy.rosterWorkers(), inputs.flaggedProviders());
            Exported x = scoreAndExport(o.runDir().resolve("evidence.jsonl"), o.runDir(), o.stages(), o.threads(), o.flaggedProviders(),
                    privacy, m.evidence(), progress);
            return finish(o, new RunSummary.Stages(ms, x.score(), x.export()), inputs, t0, m, evidence, quarantine, x.scored(), decisions,
                    history);
        }
    }

    /**
     * Stages 2–5 over a run already materialized: {@code materialize}, then {@code export-sft}, exports what the first
     * materialized (docs/distilld.md, "the stages compose"). The run's stages so far and those asked for are run again
     * together over its evidence (the outputs are deterministic, so a file made before is rewritten byte for byte), its
     * summary is brought up to date, and no watermark moves: the observations read are the run's own. Holds the run
     * directory's lock.
     */
    public static RunSummary continueRun(Path runDir, Set<Stage> asked, int threads, Set<String> flagged, Path roster, Path baselines,
                                         Progress progress) throws IOException {
        Path summaryFile = runDir.resolve("summary.json");
        if (!Files.exists(summaryFile) || !Files.exists(runDir.resolve("evidence.jsonl"))) {
            throw new IOException("run " + runDir.getFileName() + " has no materialized evidence to continue from");
        }
        Path lockFile = runDir.resolve("run.lock");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock lock = ch.tryLock()) {
            if (lock == null) {
                throw new IOException("another distill run holds run " + runDir.getFileName());
            }
            RunSummary before = readSummary(summaryFile);
            Set<Stage> stages = java.util.EnumSet.copyOf(asked);
            if (before.stagesRun() != null) {
                before.stagesRun().forEach(n -> stages.add(DistilldWire.RunRequest.stage(n, "stages_run")));
            }
            stages.add(Stage.MATERIALIZE);
            long t0 = System.nanoTime();
            Privacy privacy = Privacy.load(roster);
            RunSummary.Inputs inputs = before.inputs() == null ? null : before.inputs().with(
                    roster == null ? null : roster.toAbsolutePath().normalize().toString(), privacy.rosterWorkers(), flagged.stream().sorted().toList());
            Exported x = scoreAndExport(runDir.resolve("evidence.jsonl"), runDir, stages, threads, flagged, privacy,
                    before.materialize().evidence(), progress);
            RunSummary summary = before.continued(inputs, x, RunSummary.names(stages), (System.nanoTime() - t0) / 1_000_000);
            writeSummary(summaryFile, summary);
            Baselines.append(baselines, Baselines.of(runDir.getFileName().toString(), summary));
            return summary;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IOException("another distill run in this process holds run " + runDir.getFileName(), e);
        }
    }

    /** What stages 2–5 made: the score and export sections of the summary, and the scored file. */
    record Exported(RunSummary.Score score, RunSummary.Export export, Exporter.Out scored) {
    }

    /**
     * Stages 2–5 over an evidence file, into {@code dir}: {@code scored.jsonl} and the files of the export stages asked for.
     * The audit runs it again into a temporary directory and compares the bytes.
     */
    static Exported scoreAndExport(Path evidenceFile, Path dir, Set<Stage> stageSet, int threads, Set<String> flagged, Privacy privacy,
                                   long total, Progress progress) throws IOException {
        long t1 = System.nanoTime();
        Scorer scorer = new Scorer(flagged, privacy);
        Map<String, Long> byCategory = new TreeMap<>();
        Map<String, Long> byClass = new TreeMap<>();
        long[] neverSft = {0};
        Exporter exporter = new Exporter(dir, stageSet, privacy);
        Exporter.Out scored = new Exporter.Out(dir.resolve("scored.jsonl"));
        try (scored; ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads))) {
            Writer writer = new Writer(scored, exporter, byCategory, byClass, neverSft);
            List<byte[]> batch = new ArrayList<>(BATCH);
            long[] done = {0};
            long[] bytes = {0};
            JsonLines.read(evidenceFile, 0, (line, offset) -> {
                batch.add(line);
                bytes[0] += line.length;
                if (batch.size() == BATCH || bytes[0] >= BATCH_BYTES) {
                    done[0] += batch.size();
                    bytes[0] = 0;
                    writer.next(submit(batch, scorer, exporter, pool, threads));
                    progress.at("score+export", done[0], total);
                }
                return true;
            });
            writer.next(submit(batch, scorer, exporter, pool, threads));
            writer.next(List.of());
            progress.at("score+export", total, total);
        } finally {
            exporter.close();
        }
        return new Exported(new RunSummary.Score(byCategory, byClass, neverSft[0], (System.nanoTime() - t1) / 1_000_000), exporter.summary(),
                scored);
    }

    /**
     * An evidence record as {@code valueToTree} makes it (snake_case names, null members left out), without copying its
     * content through a token buffer: the content node is the record's own. The same bytes once encoded.
     */
    /**
     * {@code CanonicalJson.bytes(tree(e))} from the content's canonical bytes, without encoding the content again:
     * {@code content} sorts before every other member of an evidence record.
     */
    static byte[] line(Evidence e, byte[] canonicalContent) {
        ObjectNode rest = tree(e);
        rest.remove("content");
        return CanonicalJson.withFirst("content", canonicalContent, CanonicalJson.bytes(rest));
    }

    static ObjectNode tree(Evidence e) {
        ObjectNode n = NODES.objectNode();
        if (e.evidenceId() != null) {
            n.put("evidence_id", e.evidenceId());
        }
        if (e.hash() != null) {
            n.put("hash", e.hash());
        }
        if (e.type() != null) {
            n.put("type", e.type().toString());
        }
        if (e.requestId() != null) {
            n.put("request_id", e.requestId());
        }
        if (e.ts() != null) {
            n.put("ts", e.ts());
        }
        if (e.eventIds() != null) {
            e.eventIds().forEach(n.putArray("event_ids")::add);
        }
        if (e.content() != null) {
            n.set("content", e.content());
        }
        return n;
    }

    /** A materializer writing evidence and quarantine records to their files. */
    static Materializer materializer(Exporter.Out evidence, Exporter.Out quarantine, java.time.Instant since) {
        return new Materializer(new Materializer.Sink() {
            @Override
            public void evidence(Evidence e) throws IOException {
                evidence.json(tree(e));
            }

            @Override
            public void evidence(Evidence e, byte[] canonicalContent) throws IOException {
                evidence.encoded(line(e, canonicalContent));
            }

            @Override
            public void quarantine(Quarantined q) throws IOException {
                quarantine.json(Json.mapper().valueToTree(q));
            }
        }, since);
    }

    /**
     * What the run read, so that an audit can read exactly it again: the observations directory, each day file's byte
     * range, the range of review decisions whose released lines it read, since, full, and the flagged providers.
     */
    private static RunSummary.Inputs inputs(Options o, Map<String, Long> from, Map<String, Long> to, long releasedFrom, long releasedTo) {
        Map<String, RunSummary.Range> files = new TreeMap<>();
        new TreeMap<>(to).forEach((f, end) -> {
            if (!f.equals(Materializer.RELEASED)) {
                files.put(f, new RunSummary.Range(from.getOrDefault(f, 0L), end));
            }
        });
        return new RunSummary.Inputs(o.observations().toAbsolutePath().normalize().toString(), o.since() == null ? null : o.since().toString(),
                o.full(), files, new RunSummary.Released(releasedFrom, releasedTo,
                o.watermarkFile().toAbsolutePath().normalize().resolveSibling(QuarantineReview.FILE).toString()),
                o.flaggedProviders().stream().sorted().toList(), o.roster() == null ? null : o.roster().toAbsolutePath().normalize().toString(), null);
    }

    /**
     * A run's {@code summary.json}, read back (an IOException naming the file when it is not one); a count an older
     * distilld did not write reads as 0.
     */
    static RunSummary readSummary(Path file) throws IOException {
        try {
            return SUMMARY_READER.readValue(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file.getFileName() + " is not a run summary: " + e.getOriginalMessage(), e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectReader SUMMARY_READER = Json.mapper().readerFor(RunSummary.class)
            .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** A summary as {@code summary.json} holds it: canonical key order, pretty-printed. */
    static void writeSummary(Path file, RunSummary summary) throws IOException {
        AtomicFile.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(CanonicalJson.sorted(Json.mapper().valueToTree(summary))));
    }

    private static RunSummary finish(Options o, RunSummary.Stages stages, RunSummary.Inputs inputs, long t0, Materializer.Result m,
                                     Exporter.Out evidence, Exporter.Out quarantine, Exporter.Out scored, long decisions,
                                     DedupHistory history) throws IOException {
        Map<String, RunSummary.FileStat> files = new TreeMap<>();
        files.put("evidence.jsonl", evidence.stat());
        files.put("quarantine.jsonl", quarantine.stat());
        if (scored != null) {
            files.put("scored.jsonl", scored.stat());
        }
        RunSummary summary = new RunSummary(stages, inputs, files, RunSummary.names(o.stages()), (System.nanoTime() - t0) / 1_000_000);
        writeSummary(o.runDir().resolve("summary.json"), summary);
        Files.createDirectories(o.watermarkFile().toAbsolutePath().getParent());
        Baselines.append(o.watermarkFile().toAbsolutePath().resolveSibling("audit_baselines.jsonl"),
                Baselines.of(o.runDir().getFileName().toString(), summary));
        // the audit's dry run drops what this run dropped as earlier runs' records, and no more
        writeHistoryDuplicates(o.runDir().resolve(HISTORY_DUPLICATES), m.historyDuplicates());
        String previous = dedupName(o.watermarkFile());
        String generation = "dedup-" + (previous == null ? 1 : Long.parseLong(previous.replaceAll("[^0-9]", "")) + 1) + ".bin";
        history.writeMerged(o.watermarkFile().toAbsolutePath().getParent(), generation, m.made()::sorted);
        Map<String, Long> mark = new TreeMap<>(m.watermark());
        mark.put(Materializer.RELEASED, decisions);   // every review decision so far is read (released) or skipped (dropped)
        // the iterate runs held open go with the watermark, in one atomic file: both move together or neither does
        ObjectNode wm = NODES.objectNode();
        wm.set("files", Json.mapper().valueToTree(mark));
        if (!m.pendingOut().isEmpty()) {
            wm.set("pending", Json.mapper().valueToTree(m.pendingOut()));
        }
        wm.put("dedup", generation);
        AtomicFile.write(o.watermarkFile(), CanonicalJson.bytes(wm));
        DedupHistory.deleteOthers(o.watermarkFile().toAbsolutePath().getParent(), generation);
        return summary;
    }

    /** One record through stages 2–5 but the writing: its verdict, its verdict's line, its SFT sample. */
    private record Done(Scored scored, byte[] row, Exporter.SftSample sft) {
        static Done of(byte[] line, Scorer scorer, Exporter exporter) throws IOException {
            Scored s = scorer.score(Json.mapper().readValue(line, Evidence.class));
            ObjectNode row = NODES.objectNode().put("evidence_id", s.evidence().evidenceId()).put("type", s.evidence().type().toString())
                    .put("category", s.category().toString()).put("class", s.sourceClass().toString()).put("never_sft", s.neverSft());
            s.reasons().forEach(row.putArray("reasons")::add);
            return new Done(s, CanonicalJson.bytes(row), exporter.prepare(s));
        }
    }

    /**
     * A batch of evidence lines handed to the pool (parsed, scored, masked and encoded there); the batch is emptied. With
     * one thread, done here.
     */
    private static List<Future<Done>> submit(List<byte[]> batch, Scorer scorer, Exporter exporter, ExecutorService pool, int threads)
            throws IOException {
        List<Future<Done>> futures = new ArrayList<>(batch.size());
        for (byte[] line : batch) {
            futures.add(threads <= 1 ? java.util.concurrent.CompletableFuture.completedFuture(Done.of(line, scorer, exporter))
                    : pool.submit(() -> Done.of(line, scorer, exporter)));
        }
        batch.clear();
        return futures;
    }

    /**
     * Writes the records in input order, whatever thread did their work: the files are the same bytes. It holds one
     * batch back, so the pool works on the next while this thread writes the last.
     */
    private static final class Writer {
        private final Exporter.Out scored;
        private final Exporter exporter;
        private final Map<String, Long> byCategory;
        private final Map<String, Long> byClass;
        private final long[] neverSft;
        private List<Future<Done>> held = List.of();

        Writer(Exporter.Out scored, Exporter exporter, Map<String, Long> byCategory, Map<String, Long> byClass, long[] neverSft) {
            this.scored = scored;
            this.exporter = exporter;
            this.byCategory = byCategory;
            this.byClass = byClass;
            this.neverSft = neverSft;
        }

        /** Writes the batch held back, and holds this one ({@code List.of()} at the end). */
        void next(List<Future<Done>> batch) throws IOException {
            for (Future<Done> f : held) {
                Done d;
                try {
                    d = f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException("scoring failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while scoring");
                }
                Scored s = d.scored();
                scored.encoded(d.row());   // the verdict only: the record itself is in evidence.jsonl, by evidence_id
                exporter.accept(s, d.sft());
                byCategory.merge(s.category().toString(), 1L, Long::sum);
                byClass.merge(s.sourceClass().toString(), 1L, Long::sum);
                if (s.neverSft()) {
                    neverSft[0]++;
                }
            }
            held = batch;
        }
    }

    /** Beside a run's files: the hash prefixes (16 hex digits a line) of the records it dropped as earlier runs'. */
    static final String HISTORY_DUPLICATES = "history_duplicates.txt";

    /** The dedup generation the watermark names, or null. */
    static String dedupName(Path watermark) throws IOException {
        if (!Files.exists(watermark)) {
            return null;
        }
        JsonNode d = Json.mapper().readTree(Files.readAllBytes(watermark)).path("dedup");
        return d.isTextual() && d.asText().matches("dedup-[0-9]{1,18}\\.bin") ? d.asText() : null;
    }

    /** What a run made that history does not hold yet (a full run makes again what earlier runs made). */
    private static void writeHistoryDuplicates(Path file, long[] prefixes) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (long p : prefixes) {
            sb.append(String.format("%016x", p)).append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A run's {@link #HISTORY_DUPLICATES} as a predicate, for the audit's dry run. */
    static java.util.function.LongPredicate readHistoryDuplicates(Path runDir) throws IOException {
        Path f = runDir.resolve(HISTORY_DUPLICATES);
        java.util.Set<Long> set = new java.util.HashSet<>();
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank()) {
                    set.add(Long.parseUnsignedLong(line.strip(), 16));
                }
            }
        }
        return set::contains;
    }

    /** Beside a run's files: the iterate runs it took over from the run before, one JSON array of events a line. */
    static final String PENDING_IN = "pending_in.jsonl";

    /** The iterate runs the last run held open (the watermark's {@code pending}). */
    static List<List<dev.lakehouse.observerd.ObserveEvent>> readPending(Path watermark) throws IOException {
        if (!Files.exists(watermark)) {
            return List.of();
        }
        return pending(Json.mapper().readTree(Files.readAllBytes(watermark)).path("pending"));
    }

    static List<List<dev.lakehouse.observerd.ObserveEvent>> pending(JsonNode runs) {
        List<List<dev.lakehouse.observerd.ObserveEvent>> out = new ArrayList<>();
        for (JsonNode run : runs) {
            List<dev.lakehouse.observerd.ObserveEvent> events = new ArrayList<>();
            run.forEach(e -> events.add(Json.convert(e, dev.lakehouse.observerd.ObserveEvent.class, "pending")));
            if (!events.isEmpty()) {
                out.add(events);
            }
        }
        return out;
    }

    /** A run's {@link #PENDING_IN}, read back by the audit. */
    static List<List<dev.lakehouse.observerd.ObserveEvent>> readPendingIn(Path runDir) throws IOException {
        Path f = runDir.resolve(PENDING_IN);
        if (!Files.exists(f)) {
            return List.of();
        }
        com.fasterxml.jackson.databind.node.ArrayNode runs = NODES.arrayNode();
        JsonLines.read(f, 0, (line, offset) -> runs.add(Json.mapper().readTree(line)) != null);
        return pending(runs);
    }

    private static void writePending(Path file, List<List<dev.lakehouse.observerd.ObserveEvent>> runs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (List<dev.lakehouse.observerd.ObserveEvent> run : runs) {
            sb.append(CanonicalJson.utf8(CanonicalJson.bytes(Json.mapper().valueToTree(run)))).append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Map<String, Long> readWatermark(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Map.of();
        }
        JsonNode n = Json.mapper().readTree(Files.readAllBytes(file)).path("files");
        Map<String, Long> out = new TreeMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }
}
