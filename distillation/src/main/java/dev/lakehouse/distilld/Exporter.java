package dev.lakehouse.distilld;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.distillation.CanonicalJson;
import dev.lakehouse.privacy.Masker;
import dev.lakehouse.privacy.PiiType;

/**
 * Stages 3–5: scored records → the SFT, RAG and preference files of a run (docs/distilld.md).
 * Every record is written as canonical JSON (sorted keys) in the order the records come, so the
 * same scored input gives the same bytes. Every SFT sample passes the {@link Firewall}; every
 * text of every file is masked through one session per sample (docs/privacy.md), and a sample in which the detector
 * still finds an identifier after masking is refused and counted.
 *
 * <pre>
 * sft/trl.jsonl            {"messages":[…],"metadata":{"class","evidence_id","category"}}   TRL conversational
 * sft/openai.jsonl         {"messages":[…]}                                                OpenAI fine-tuning
 * rag/corpus.jsonl         {"_id","title","text","metadata"}                               BEIR
 * rag/queries.jsonl        {"_id","text"}
 * rag/qrels/train.tsv      query-id  corpus-id  score   (with its header; 1: the answer used the passage, 0: a hard negative)
 * rag/qrels/test.tsv       the held-out split, the same columns (RagLabels.split)
 * rag/chunks.jsonl         {"id","corpus","doc_id","text","metadata"}                      for re-indexing
 * preference/trl.jsonl     {"prompt":[…],"chosen":[…],"rejected":[…]}                      TRL conversational preference
 * preference/openai.jsonl  {"input":{"messages":[…]},"preferred_output":[…],"non_preferred_output":[…]}   OpenAI DPO
 * </pre>
 */
final class Exporter implements AutoCloseable {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final List<String> FILES = List.of("sft/trl.jsonl", "sft/openai.jsonl", "rag/corpus.jsonl", "rag/queries.jsonl",
            "rag/qrels/train.tsv", "rag/qrels/test.tsv", "rag/chunks.jsonl", "preference/trl.jsonl", "preference/openai.jsonl");

    /** One output file: canonical lines, counted and hashed as they are written. */
    static final class Out implements AutoCloseable {
        private final DigestOutputStream digest;
        private final OutputStream out;
        private long records;

        Out(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            try {
                digest = new DigestOutputStream(Files.newOutputStream(file), MessageDigest.getInstance("SHA-256"));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out = new BufferedOutputStream(digest, 1 << 16);
        }

        void json(JsonNode node) throws IOException {
            encoded(CanonicalJson.bytes(node));
        }

        /** A line already encoded as canonical JSON ({@code CanonicalJson.bytes}). */
        void encoded(byte[] canonical) throws IOException {
            out.write(canonical);
            out.write('\n');
            records++;
        }

        void line(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            records++;
        }

        long records() {
            return records;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        }

        /** Records and SHA-256, once the file is closed (the digest is finished by it). */
        RunSummary.FileStat stat() {
            return new RunSummary.FileStat(records, sha256());
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private final Map<String, Out> outs = new LinkedHashMap<>();
    private final Set<String> corpusIds = new HashSet<>();
    private final Map<String, Long> sftByClass = new TreeMap<>();
    private long sftRefused;
    private long sftChars;
    private long sftLongest;
    private long preferenceRefused;
    private final Map<String, Long> masked = new TreeMap<>();
    private long maskedRoster;
    private long unmaskable;

    private final Set<Pipeline.Stage> stages;
    private final Privacy privacy;
    private final Path runDir;
    private long ragQueries;
    private final Map<String, Long> qrelsBy = new TreeMap<>();

    /** Opens the files of the export stages asked for. */
    Exporter(Path runDir, Set<Pipeline.Stage> stages, Privacy privacy) throws IOException {
        this.stages = stages;
        this.privacy = privacy;
        for (String f : FILES) {
            if (stages.contains(stageOf(f))) {
                outs.put(f, new Out(runDir.resolve(f)));
            }
        }
        if (stages.contains(Pipeline.Stage.EXPORT_RAG)) {
            outs.get("rag/qrels/train.tsv").line("query-id\tcorpus-id\tscore");
            outs.get("rag/qrels/test.tsv").line("query-id\tcorpus-id\tscore");
        }
        this.runDir = runDir;
    }

    static Pipeline.Stage stageOf(String file) {
        return file.startsWith("sft/") ? Pipeline.Stage.EXPORT_SFT : file.startsWith("rag/") ? Pipeline.Stage.EXPORT_RAG
                : Pipeline.Stage.EXPORT_PREFERENCE;
    }

    /**
     * A record's SFT sample made ready to write: templated, masked, checked and encoded. It reads nothing the writing
     * changes, so the records of a batch are prepared on any thread and written in their order by {@link #accept}.
     */
    record SftSample(Outcome outcome, byte[] trl, byte[] openai, long chars, Map<PiiType, Integer> masked, int rosterMasked) {
        enum Outcome { NONE, REFUSED, UNMASKABLE, WRITTEN }

        static final SftSample NONE = new SftSample(Outcome.NONE, null, null, 0, Map.of(), 0);
        static final SftSample REFUSED = new SftSample(Outcome.REFUSED, null, null, 0, Map.of(), 0);
        static final SftSample UNMASKABLE = new SftSample(Outcome.UNMASKABLE, null, null, 0, Map.of(), 0);
    }

    /** The record's SFT sample (thread-safe: the detector and the masker hold no state between samples). */
    SftSample prepare(Scored s) {
        if (!stages.contains(Pipeline.Stage.EXPORT_SFT)) {
            return SftSample.NONE;
        }
        ArrayNode messages = Templates.messages(s);
        if (messages == null) {
            return SftSample.NONE;
        }
        if (!Firewall.sft(s)) {
            return SftSample.REFUSED;
        }
        Masker.Session session = session();
        Firewall.mask(messages, session);
        if (stillIdentifies(messages.toString())) {
            return SftSample.UNMASKABLE;
        }
        ObjectNode trl = NODES.objectNode();
        trl.set("messages", messages);
        trl.putObject("metadata").put("class", s.sourceClass().toString()).put("evidence_id", s.evidence().evidenceId())
                .put("category", s.category().toString());
        long chars = 0;
        for (JsonNode m : messages) {
            chars += m.path("content").asText().length();
        }
        ObjectNode openai = NODES.objectNode();
        openai.set("messages", messages);
        return new SftSample(SftSample.Outcome.WRITTEN, CanonicalJson.bytes(trl), CanonicalJson.bytes(openai), chars, session.masked(),
                session.rosterMasked());
    }

    /** Writes a record's samples, in the order records come; {@code sample} is {@link #prepare}'s for it. */
    void accept(Scored s, SftSample sample) throws IOException {
        sft(s, sample);
        if (stages.contains(Pipeline.Stage.EXPORT_RAG) && s.sourceClass() == Scored.SourceClass.RETRIEVAL_ANSWER
                && s.category() == Scored.Category.ACCEPTED) {
            rag(s);
        }
        if (stages.contains(Pipeline.Stage.EXPORT_PREFERENCE) && s.evidence().type() == Evidence.Type.ITERATE) {
            preference(s);
        }
    }

    /** A sample's session: what it masked is counted when the sample is written. */
    private Masker.Session session() {
        return privacy.masker().session();
    }

    /** Whether a masked sample still holds an identifier the detector finds: such a sample is refused, never written. */
    private boolean stillIdentifies(String maskedText) {
        return !privacy.detector().find(maskedText).isEmpty();
    }

    /** Counts what a written sample masked; false (and counted) when the detector still finds an identifier in it. */
    private boolean written(Masker.Session session, String sampleText) {
        if (stillIdentifies(sampleText)) {
            unmaskable++;
            return false;
        }
        counted(session.masked(), session.rosterMasked());
        return true;
    }

    private void counted(Map<PiiType, Integer> maskedNow, int rosterMaskedNow) {
        maskedNow.forEach((t, n) -> masked.merge(t.toString(), (long) n, Long::sum));
        maskedRoster += rosterMaskedNow;
    }

    private void sft(Scored s, SftSample sample) throws IOException {
        switch (sample.outcome()) {
            case NONE -> {
            }
            case REFUSED -> sftRefused++;
            case UNMASKABLE -> {
                unmaskable++;
                sftRefused++;
            }
            case WRITTEN -> {
                counted(sample.masked(), sample.rosterMasked());
                outs.get("sft/trl.jsonl").encoded(sample.trl());
                outs.get("sft/openai.jsonl").encoded(sample.openai());
                sftChars += sample.chars();
                sftLongest = Math.max(sftLongest, sample.chars());
                sftByClass.merge(s.sourceClass().toString(), 1L, Long::sum);
            }
        }
    }

    private void rag(Scored s) throws IOException {
        JsonNode c = s.evidence().content();
        String query = s.evidence().evidenceId();
        Masker.Session session = session();
        outs.get("rag/queries.jsonl").json(NODES.objectNode().put("_id", query).put("text", session.mask(c.path("query").asText())));
        String split = RagLabels.split(query, ragQueries++ == 0);
        String answer = c.path("answer").path("output").asText("");
        int position = 0;
        for (JsonNode h : c.path("hits")) {
            position++;
            String id = h.path("corpus").asText() + "/" + h.path("id").asText();
            String text = session.mask(h.path("text").asText(""));
            if (corpusIds.add(id)) {
                ObjectNode doc = NODES.objectNode().put("_id", id).put("title", h.path("doc_id").asText(h.path("id").asText()))
                        .put("text", text);
                doc.putObject("metadata").put("corpus", h.path("corpus").asText()).put("doc_id", h.path("doc_id").asText(""));
                outs.get("rag/corpus.jsonl").json(doc);
                ObjectNode chunk = NODES.objectNode().put("id", h.path("id").asText()).put("corpus", h.path("corpus").asText())
                        .put("doc_id", h.path("doc_id").asText("")).put("text", text);
                chunk.putObject("metadata").put("evidence_id", s.evidence().evidenceId());
                outs.get("rag/chunks.jsonl").json(chunk);
            }
            int score = RagLabels.used(answer, position, h.path("text").asText(h.path("doc_id").asText(""))) ? 1 : 0;
            outs.get("rag/qrels/" + split + ".tsv").line(query + "\t" + id + "\t" + score);
            qrelsBy.merge(split + (score == 1 ? ".relevant" : ".negative"), 1L, Long::sum);
        }
        written(session, "");
    }

    /** A preference pair of an iterate run: its prompt, the chosen (valid) and the rejected (invalid) attempt. */
    record Pair(ArrayNode prompt, JsonNode chosen, JsonNode rejected) {
        /** The first failed attempt and the first valid one after it, or null when the run has no such pair. */
        static Pair of(Scored s) {
            if (s.evidence().type() != Evidence.Type.ITERATE) {
                return null;
            }
            Templates.Attempts a = Templates.Attempts.of(s.evidence().content());
            JsonNode rejected = null;
            JsonNode chosen = null;
            for (JsonNode at : a.attempts()) {
                if (!at.path("valid").asBoolean() && rejected == null) {
                    rejected = at;
                } else if (at.path("valid").asBoolean() && rejected != null) {
                    chosen = at;
                    break;
                }
            }
            return rejected == null || chosen == null || a.prompt().size() < 2 ? null : new Pair(a.prompt(), chosen, rejected);
        }
    }

    /** A pair as exported: prompt, chosen and rejected masked through one session, in that order. */
    record Masked(ArrayNode prompt, ArrayNode chosen, ArrayNode rejected, Masker.Session session) {
        static Masked of(Pair pair, Masker.Session session) {
            ArrayNode prompt = NODES.arrayNode();
            pair.prompt().forEach(m -> prompt.add(NODES.objectNode().put("role", m.path("role").asText())
                    .put("content", session.mask(m.path("content").asText()))));
            ArrayNode good = NODES.arrayNode();
            good.addObject().put("role", "assistant").put("content", session.mask(pair.chosen().path("output").asText()));
            ArrayNode bad = NODES.arrayNode();
            bad.addObject().put("role", "assistant").put("content", session.mask(pair.rejected().path("output").asText()));
            return new Masked(prompt, good, bad, session);
        }
    }

    /** The first failed attempt against the valid one after it; chosen must be valid and rejected invalid, checked here. */
    private void preference(Scored s) throws IOException {
        Pair pair = Pair.of(s);
        if (pair == null) {
            return;
        }
        if (s.category() == Scored.Category.PII || s.category() == Scored.Category.FLAGGED) {
            preferenceRefused++;   // personal data or a flagged provider's answers: no pair of them either
            return;
        }
        if (!pair.chosen().path("valid").asBoolean() || pair.rejected().path("valid").asBoolean()) {
            preferenceRefused++;
            return;
        }
        Masked m = Masked.of(pair, session());
        ArrayNode prompt = m.prompt();
        ArrayNode good = m.chosen();
        ArrayNode bad = m.rejected();
        if (!written(m.session(), prompt.toString() + good + bad)) {
            preferenceRefused++;
            return;
        }
        ObjectNode trl = NODES.objectNode();
        trl.set("prompt", prompt);
        trl.set("chosen", good);
        trl.set("rejected", bad);
        outs.get("preference/trl.jsonl").json(trl);
        ObjectNode openai = NODES.objectNode();
        openai.putObject("input").set("messages", prompt);
        openai.set("preferred_output", good);
        openai.set("non_preferred_output", bad);
        outs.get("preference/openai.jsonl").json(openai);
    }

    /** Per file: records and SHA-256; per class: SFT samples; and what the firewall and the checks refused. */
    RunSummary.Export summary() {
        Map<String, RunSummary.FileStat> files = new LinkedHashMap<>();
        outs.forEach((f, o) -> files.put(f, o.stat()));
        long samples = sftByClass.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> m = new LinkedHashMap<>(masked);
        m.put("roster_contacts", maskedRoster);
        m.put("refused_after_masking", unmaskable);
        RunSummary.Rag rag = null;
        if (stages.contains(Pipeline.Stage.EXPORT_RAG)) {
            rag = ragQueries == 0
                    ? new RunSummary.Rag(0, new TreeMap<>(qrelsBy), false, "no answered retrieval: BEIR's loader cannot load an empty dataset, so no rag/ files")
                    : new RunSummary.Rag(ragQueries, new TreeMap<>(qrelsBy), null, null);
        }
        return new RunSummary.Export(files, new TreeMap<>(sftByClass), sftRefused,
                new RunSummary.Length(samples == 0 ? 0 : Math.round(sftChars * 10.0 / samples) / 10.0, sftLongest), preferenceRefused, m, rag);
    }

    @Override
    public void close() throws IOException {
        for (Out o : outs.values()) {
            o.close();
        }
        if (stages.contains(Pipeline.Stage.EXPORT_RAG) && ragQueries == 0) {   // nothing BEIR could load: no files that look like data
            for (String f : FILES) {
                if (f.startsWith("rag/")) {
                    outs.remove(f);
                    Files.deleteIfExists(runDir.resolve(f));
                }
            }
            Files.deleteIfExists(runDir.resolve("rag/qrels"));
            Files.deleteIfExists(runDir.resolve("rag"));
        }
    }
}
