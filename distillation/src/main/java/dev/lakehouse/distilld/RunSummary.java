package dev.lakehouse.distilld;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A distill run's summary: what a finished run answers and what its {@code summary.json} holds (keys sorted there),
 * contract docs/schemas/run_summary.schema.json. Read back from disk by the audit, the acceptance invariants and
 * {@code continueRun}; unknown keys (a newer or older distilld's) are passed over, missing numbers read as 0.
 *
 * @param stages    what each stage counted; score and export absent when only materialize ran
 * @param inputs    what the run read, so that an audit can read exactly it again; absent in runs made before audits
 * @param files     the run's own files (evidence, quarantine, scored): records and SHA-256
 * @param stagesRun the stages run, sorted
 * @param tookMs    the run's time, all sessions
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunSummary(Stages stages, Inputs inputs, Map<String, FileStat> files, SortedSet<String> stagesRun, long tookMs) {

    /** Stage by stage. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Stages(Materialize materialize, Score score, Export export) {
    }

    /** Stage 1's counts; {@code lines} is conserved: every line read is in exactly one other count. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Materialize(long lines, long beforeSince, long eventsInEvidence, long quarantined, long duplicateEvents,
                              long replayEvents, long shadowEvents, long iterateCalls, long pendingInEvents, long pendingOutEvents,
                              long duplicatesOfEarlierRuns, long evidence, boolean conserved, Map<String, Long> evidenceByType,
                              Map<String, Long> quarantineByReason, long tookMs) {
    }

    /** Stage 2's verdicts by category and by class, and how many records may never become SFT samples. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Score(Map<String, Long> byCategory, Map<String, Long> byClass, long neverSft, long tookMs) {
    }

    /**
     * Stages 3–5: the files written, SFT samples per class, what the firewall refused, the samples' length, what
     * masking replaced (per type, then {@code roster_contacts} and {@code refused_after_masking}) and RAG's counts.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Export(Map<String, FileStat> files, Map<String, Long> sftByClass, long sftRefusedByFirewall, Length sftLengthChars,
                         long preferenceRefused, Map<String, Long> masked, Rag rag) {
    }

    /** Mean (one decimal) and longest SFT sample, in characters. */
    public record Length(double mean, long max) {
    }

    /**
     * The RAG export: queries, then qrels per {@code <split>.relevant|negative} beside them; {@code written} false with
     * {@code why} when no answered retrieval made files.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Rag(long queries, @JsonAnyGetter @JsonAnySetter Map<String, Long> qrels, Boolean written, String why) {
        public Rag {
            qrels = qrels == null ? new TreeMap<>() : qrels;
        }
    }

    /** A file's record count and SHA-256 (hex). */
    public record FileStat(long records, String sha256) {
    }

    /**
     * What the run read: the observations directory (absolute), since, full, each day file's byte range, the review
     * decisions whose released lines it read, the flagged providers, the roster (absolute, or null) and its workers.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Inputs(String observations, @JsonInclude(JsonInclude.Include.ALWAYS) String since, boolean full,
                         Map<String, Range> files, Released released, List<String> flaggedProviders,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String roster, Long rosterWorkers) {

        /** The same inputs read with another roster and flagged providers ({@code continueRun}). */
        Inputs with(String roster, long rosterWorkers, List<String> flaggedProviders) {
            return new Inputs(observations, since, full, files, released, flaggedProviders, roster, rosterWorkers);
        }
    }

    /** A byte range [from, to). */
    public record Range(long from, long to) {
    }

    /** The range of review decisions read, and the review file. */
    public record Released(long from, long to, String review) {
    }

    /** The run's files and the export's, by name. */
    Map<String, FileStat> allFiles() {
        Map<String, FileStat> out = new TreeMap<>();
        if (files != null) {
            out.putAll(files);
        }
        if (stages != null && stages.export() != null && stages.export().files() != null) {
            out.putAll(stages.export().files());
        }
        return out;
    }

    /** Stage 1's counts, zeros when the summary has none. */
    Materialize materialize() {
        return stages == null || stages.materialize() == null
                ? new Materialize(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, Map.of(), Map.of(), 0) : stages.materialize();
    }

    /** This summary after stages 2–5 ran again over its evidence ({@code continueRun}). */
    RunSummary continued(Inputs in, Pipeline.Exported x, SortedSet<String> stagesRun, long moreMs) {
        Map<String, FileStat> f = new TreeMap<>(files == null ? Map.of() : files);
        f.put("scored.jsonl", x.scored().stat());
        return new RunSummary(new Stages(materialize(), x.score(), x.export()), in, f, stagesRun, tookMs + moreMs);
    }

    static SortedSet<String> names(java.util.Collection<Pipeline.Stage> stages) {
        return new TreeSet<>(stages.stream().map(Pipeline.Stage::toString).toList());
    }

    static <V> Map<String, V> ordered(Map<String, V> m) {
        return new LinkedHashMap<>(m);
    }
}
