package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;

/**
 * A finished run's directory as the audit reads it: its summary, its files a line at a time, and what more than one
 * phase or invariant needs, computed once — the re-export (phase 4, invariant {@code exports_deterministic}) and the
 * schema check (phase 1, invariant {@code schemas_valid}). Scratch work goes to {@code work}, inside the audit's own
 * directory under the run.
 */
final class RunView {
    /** The record files of a run and the schema (docs/schemas) each line follows. */
    static final Map<String, String> SCHEMAS = schemas();

    final Path dir;
    final Path work;
    final RunSummary summary;
    /** The summary as the file holds it, for the schema check. */
    final JsonNode summaryJson;
    private Map<String, String[]> reexport;
    private Map<String, Findings> schemaErrors;

    /** Reads the run's summary; a run without one cannot be audited (IOException naming the file). */
    RunView(Path dir, Path work) throws IOException {
        this.dir = dir;
        this.work = work;
        Path s = dir.resolve("summary.json");
        if (!Files.exists(s)) {
            throw new IOException(s + " does not exist: not a finished distill run");
        }
        this.summaryJson = Json.mapper().readTree(Files.readAllBytes(s));
        this.summary = Pipeline.readSummary(s);
    }

    private static Map<String, String> schemas() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("evidence.jsonl", "evidence");
        m.put("quarantine.jsonl", "quarantine");
        m.put("scored.jsonl", "scored");
        m.put("sft/trl.jsonl", "sft_sample");
        m.put("sft/openai.jsonl", "sft_sample_openai");
        m.put("rag/corpus.jsonl", "rag_corpus");
        m.put("rag/queries.jsonl", "rag_query");
        m.put("rag/chunks.jsonl", "rag_chunk");
        m.put("rag/qrels/train.tsv", "rag_qrel");
        m.put("rag/qrels/test.tsv", "rag_qrel");
        m.put("preference/trl.jsonl", "preference_pair");
        m.put("preference/openai.jsonl", "preference_pair_openai");
        return Map.copyOf(m);
    }

    Path file(String rel) {
        return dir.resolve(rel);
    }

    boolean has(String rel) {
        return Files.exists(dir.resolve(rel));
    }

    /** Visits a JSON-lines file of the run (nothing when it is missing); line numbers from 1. */
    interface Visitor {
        void at(long line, JsonNode node) throws IOException;
    }

    void each(String rel, Visitor v) throws IOException {
        Path f = dir.resolve(rel);
        if (!Files.exists(f)) {
            return;
        }
        long[] n = {0};
        JsonLines.read(f, 0, (bytes, offset) -> {
            n[0]++;
            JsonNode node;
            try {
                node = Json.mapper().readTree(bytes);
            } catch (IOException bad) {
                node = null;   // the visitor reports it: a run file that is not JSON
            }
            v.at(n[0], node);
            return true;
        });
    }

    /** The rows of one qrels file ({@code rag/qrels/train.tsv} or {@code test.tsv}), header skipped, with their line numbers. */
    void qrels(String rel, java.util.function.ObjLongConsumer<String[]> v) throws IOException {
        Path f = dir.resolve(rel);
        if (!Files.exists(f)) {
            return;
        }
        long[] n = {0};
        JsonLines.read(f, 0, (bytes, offset) -> {
            if (n[0]++ > 0) {
                v.accept(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\t", -1), n[0]);
            }
            return true;
        });
    }

    Set<Pipeline.Stage> stagesRun() {
        Set<Pipeline.Stage> out = java.util.EnumSet.of(Pipeline.Stage.MATERIALIZE);
        if (summary.stagesRun() != null) {
            summary.stagesRun().forEach(s -> out.add(DistilldWire.RunRequest.stage(s, "stages_run")));
        }
        return out;
    }

    /** The run's roster (the file its inputs name, as it is now), read once; shapes only when it has none. */
    synchronized Privacy privacy() throws IOException {
        if (privacy == null) {
            privacy = Privacy.load(roster());
        }
        return privacy;
    }

    private Privacy privacy;
    private BroadScan broadScan;

    /** The audit's second detector over the run's roster, read once. */
    synchronized BroadScan broadScan() throws IOException {
        if (broadScan == null) {
            broadScan = BroadScan.load(roster());
        }
        return broadScan;
    }

    /** The roster file the run's inputs name, or null. */
    private Path roster() {
        String roster = summary.inputs() == null ? null : summary.inputs().roster();
        return roster == null ? null : Path.of(roster);
    }

    Set<String> flaggedProviders() {
        Set<String> out = new java.util.TreeSet<>();
        if (summary.inputs() != null && summary.inputs().flaggedProviders() != null) {
            out.addAll(summary.inputs().flaggedProviders());
        }
        return out;
    }

    /**
     * Stages 2–5 again, from the run's evidence into {@code work/export}: per file the stored and the new SHA-256
     * (null when a side has no such file). Computed once.
     */
    synchronized Map<String, String[]> reexport() throws IOException {
        if (reexport == null) {
            Map<String, String[]> out = new TreeMap<>();
            Set<Pipeline.Stage> stages = stagesRun();
            if (stages.size() > 1) {
                Path into = work.resolve("export");
                Files.createDirectories(into);
                Pipeline.scoreAndExport(file("evidence.jsonl"), into, stages, Runtime.getRuntime().availableProcessors(),
                        flaggedProviders(), privacy(), summary.materialize().evidence(), (a, b, c) -> { });
                List<String> files = new ArrayList<>(List.of("scored.jsonl"));
                files.addAll(Exporter.FILES);
                for (String f : files) {
                    out.put(f, new String[] {sha256(file(f)), sha256(into.resolve(f))});
                }
            }
            reexport = out;
        }
        return reexport;
    }

    /** Every record of every file against its schema, per file; computed once. */
    synchronized Map<String, Findings> schemaErrors() throws IOException {
        if (schemaErrors == null) {
            schemaErrors = Schemas.check(this);
        }
        return schemaErrors;
    }

    static String sha256(Path f) throws IOException {
        if (!Files.exists(f)) {
            return null;
        }
        try (var in = Files.newInputStream(f)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a check found: how many problems, and the first few, said plainly. */
    static final class Findings {
        static final int EXAMPLES = 10;
        private long count;
        private final List<String> examples = new ArrayList<>();

        synchronized void add(String problem) {
            if (count++ < EXAMPLES) {
                examples.add(problem);
            }
        }

        /** Problems counted without an example of each. */
        synchronized void more(long n) {
            count += n;
        }

        synchronized long count() {
            return count;
        }

        synchronized List<String> examples() {
            return List.copyOf(examples);
        }
    }
}
