package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Json;
import dev.lakehouse.distillation.CanonicalJson;

/**
 * The full audit of a run (docs/distilld.md, "audit-full"): phases 0–7, each with its own pass or fail and report
 * section, all at once or any of them — (0) inventory, (1) schema, (2) materializer dry-run, (3) scorer, (4) export
 * determinism, (5) run summaries, (6) acceptance, (7) replay. The report goes to {@code <run>/audits/<id>/} as
 * {@code report.json} (docs/schemas/audit_report.schema.json) and {@code report.md}; scratch work to its {@code work/},
 * deleted at the end.
 */
public final class Audit {
    static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("audit-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}");
    static final List<String> PHASES = List.of("inventory", "schema", "materializer dry-run", "scorer", "export determinism",
            "run summaries", "acceptance", "replay");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What to audit: the phases (0–7), and phase 7's sample, seed, concurrency and provider (null: as recorded). */
    public record Options(Set<Integer> phases, int replaySample, long seed, int concurrency, String provider, String model) {
    }

    /** One phase's outcome: pass, fail or skipped, what it found, and its own details. */
    public record Phase(int phase, String name, String status, List<String> findings, JsonNode details, long tookMs) {
    }

    /** Hears progress: the phase running, phases done of all. */
    @FunctionalInterface
    public interface Progress {
        void at(String phase, long done, long total);
    }

    private Audit() {
    }

    /** The phases of a {@code --phases} value: "all", "3", "0-6", "1,4,7". */
    public static Set<Integer> phases(String spec) {
        Set<Integer> out = new TreeSet<>();
        if (spec == null || spec.equals("all")) {
            for (int i = 0; i < PHASES.size(); i++) {
                out.add(i);
            }
            return out;
        }
        for (String part : spec.split(",", -1)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-7])(?:-([0-7]))?").matcher(part.strip());
            if (!m.matches()) {
                throw new dev.lakehouse.common.FieldError("phases", "invalid_field", "'" + (spec.length() > 40 ? spec.substring(0, 40) + "…"
                        : spec) + "' is not phases 0-7 (\"all\", \"3\", \"0-6\", \"1,4,7\")");
            }
            int from = Integer.parseInt(m.group(1));
            int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            for (int i = Math.min(from, to); i <= Math.max(from, to); i++) {
                out.add(i);
            }
        }
        return out;
    }

    /** Audits the run in {@code runDir} as audit {@code id}; answers the report (also written as JSON and Markdown). */
    public static AuditReport run(Path runDir, String id, Options o, Replay.Peers peers, Progress progress) throws IOException {
        Path dir = runDir.resolve("audits").resolve(id);
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        String started = Instant.now().toString();
        List<Phase> phases = new ArrayList<>();
        RunView run;
        try {
            run = new RunView(runDir, work);
        } catch (IOException e) {
            phases.add(new Phase(0, PHASES.get(0), "fail", List.of(e.getMessage()), NODES.objectNode(), 0));
            return report(dir, id, runDir, started, phases, List.of());
        }
        List<Acceptance.Outcome> invariants = new ArrayList<>();
        int done = 0;
        try {
            for (int p : new TreeSet<>(o.phases())) {
                progress.at(p + " " + PHASES.get(p), done, o.phases().size());
                long t0 = System.nanoTime();
                Phase result;
                try {
                    result = phase(p, run, o, peers, runDir, id, invariants);
                } catch (IOException | RuntimeException e) {
                    result = new Phase(p, PHASES.get(p), "fail", List.of("the phase could not run: " + e), NODES.objectNode(), 0);
                }
                phases.add(new Phase(result.phase(), result.name(), result.status(), result.findings(), result.details(),
                        (System.nanoTime() - t0) / 1_000_000));
                progress.at(p + " " + PHASES.get(p), ++done, o.phases().size());
            }
        } finally {
            deleteTree(work);
        }
        return report(dir, id, runDir, started, phases, invariants);
    }

    private static Phase phase(int p, RunView run, Options o, Replay.Peers peers, Path runDir, String id,
                               List<Acceptance.Outcome> invariants) throws IOException {
        return switch (p) {
            case 0 -> inventory(run);
            case 1 -> schema(run);
            case 2 -> dryRun(run);
            case 3 -> scorer(run, invariants);
            case 4 -> exportDeterminism(run);
            case 5 -> summaries(run, invariants);
            case 6 -> acceptance(run, invariants);
            case 7 -> replay(run, o, peers, runDir, id);
            default -> throw new IllegalArgumentException("no phase " + p);
        };
    }

    private static Phase of(int p, List<String> findings, JsonNode details) {
        return new Phase(p, PHASES.get(p), findings.isEmpty() ? "pass" : "fail", List.copyOf(findings), details, 0);
    }

    /** (0) inventory: the run's inputs (each day file's range, still there?), its configuration, the versions. */
    static Phase inventory(RunView run) throws IOException {
        List<String> findings = new ArrayList<>();
        ObjectNode d = NODES.objectNode();
        RunSummary.Inputs in = run.summary.inputs();
        if (in == null) {
            findings.add("the summary records no inputs (a run made before audits): phase 2 cannot re-materialize it");
            in = new RunSummary.Inputs(null, null, false, Map.of(), null, null, null, null);
        }
        Path obs = Path.of(in.observations() == null ? "." : in.observations());
        ArrayNode files = d.putArray("inputs");
        (in.files() == null ? Map.<String, RunSummary.Range>of() : in.files()).forEach((name, range) -> {
            Path file = obs.resolve(name);
            long size = -1;
            try {
                size = Files.exists(file) ? Files.size(file) : -1;
            } catch (IOException e) {
                findings.add(file + ": " + e.getMessage());
            }
            long to = range.to();
            files.addObject().put("file", name).put("from", range.from()).put("to", to).put("size_now", size);
            if (size < to) {
                findings.add(file + (size < 0 ? " is gone" : " is shorter (" + size + " bytes) than the run read (" + to + ")"));
            }
        });
        d.set("released", Json.mapper().valueToTree(in.released()));
        ObjectNode config = d.putObject("config");
        config.put("observations", in.observations());
        config.put("since", in.since());
        config.put("full", in.full());
        config.set("flagged_providers", Json.mapper().valueToTree(in.flaggedProviders()));
        config.set("stages_run", Json.mapper().valueToTree(run.summary.stagesRun()));
        ObjectNode versions = d.putObject("versions");
        versions.put("distilld", String.valueOf(Audit.class.getPackage().getImplementationVersion()));
        versions.put("java", System.getProperty("java.version"));
        ObjectNode schemas = versions.putObject("schemas");
        for (String s : new TreeSet<>(RunView.SCHEMAS.values())) {
            try (var r = Audit.class.getResourceAsStream("/schemas/" + s + ".schema.json")) {
                schemas.put(s, r == null ? "missing" : CanonicalJson.sha256(r.readAllBytes()).substring(0, 16));
            }
        }
        ObjectNode outputs = d.putObject("outputs");
        run.summary.allFiles().forEach((f, n) -> outputs.put(f, n.records()));
        return of(0, findings, d);
    }

    /** (1) schema: every record of every output against docs/schemas. */
    static Phase schema(RunView run) throws IOException {
        List<String> findings = new ArrayList<>();
        ObjectNode d = NODES.objectNode();
        run.schemaErrors().forEach((f, e) -> {
            d.putObject(f).put("invalid", e.count());
            e.examples().forEach(findings::add);
        });
        return of(1, findings, d);
    }

    /** (2) materializer dry-run: the run's input read again from scratch into work/materialize, compared with its files. */
    static Phase dryRun(RunView run) throws IOException {
        List<String> findings = new ArrayList<>();
        ObjectNode d = NODES.objectNode();
        RunSummary.Inputs in = run.summary.inputs();
        if (in == null) {
            return of(2, List.of("the summary records no inputs: nothing to re-materialize"), d);
        }
        Map<String, Long> from = new TreeMap<>();
        Map<String, Long> to = new TreeMap<>();
        (in.files() == null ? Map.<String, RunSummary.Range>of() : in.files()).forEach((name, range) -> {
            from.put(name, range.from());
            to.put(name, range.to());
        });
        Path obs = Path.of(in.observations() == null ? "." : in.observations());
        List<Path> files = new ArrayList<>();
        for (String f : to.keySet()) {
            files.add(obs.resolve(f));
        }
        List<byte[]> released = List.of();
        long releasedFrom = in.released() == null ? 0 : in.released().from();
        if (in.released() != null && in.released().review() != null) {
            released = new QuarantineReview(Path.of(in.released().review()).getParent()).releasedFrom(releasedFrom, in.released().to());
        }
        Path into = run.work.resolve("materialize");
        Files.createDirectories(into);
        Exporter.Out evidence = new Exporter.Out(into.resolve("evidence.jsonl"));
        Exporter.Out quarantine = new Exporter.Out(into.resolve("quarantine.jsonl"));
        Materializer.Result m;
        try (evidence; quarantine) {
            m = Pipeline.materializer(evidence, quarantine, in.since() != null ? Instant.parse(in.since()) : null)
                    .history(Pipeline.readHistoryDuplicates(run.dir)).dedupIn(into.resolve("dedup-spill"), RunDedup.DEFAULT_LIMIT)
                    .run(files, from, to, released, releasedFrom, Pipeline.readPendingIn(run.dir), n -> { });
        }
        m.made().close();   // its dedup set: only the files it wrote are compared
        for (String f : List.of("evidence.jsonl", "quarantine.jsonl")) {
            String stored = RunView.sha256(run.file(f));
            String again = RunView.sha256(into.resolve(f));
            d.putObject(f).put("stored", stored).put("again", again).put("same", java.util.Objects.equals(stored, again));
            if (!java.util.Objects.equals(stored, again)) {
                findings.add(f + " differs from the input materialized again: " + firstDifference(run.file(f), into.resolve(f)));
            }
        }
        RunSummary.Materialize ms = run.summary.materialize();
        if (ms.lines() != m.lines() || ms.evidence() != m.evidence()) {
            findings.add("the summary counts " + ms.lines() + " lines and " + ms.evidence()
                    + " evidence records; again: " + m.lines() + " and " + m.evidence());
        }
        d.put("lines", m.lines()).put("evidence", m.evidence()).put("quarantined", m.quarantined());
        return of(2, findings, d);
    }

    private static String firstDifference(Path a, Path b) throws IOException {
        if (!Files.exists(a)) {
            return "the run has no such file";
        }
        try (var x = Files.newBufferedReader(a); var y = Files.newBufferedReader(b)) {
            for (long n = 1; ; n++) {
                String l = x.readLine();
                String r = y.readLine();
                if (l == null && r == null) {
                    return "the same lines, other bytes";
                }
                if (l == null || !l.equals(r)) {
                    return "first at line " + n + (l == null ? " (the stored file ends)" : r == null ? " (the new one ends)" : "");
                }
            }
        }
    }

    /** (3) scorer: the category distribution, scoring again, and the firewall. */
    static Phase scorer(RunView run, List<Acceptance.Outcome> invariants) throws IOException {
        ObjectNode d = NODES.objectNode();
        RunSummary.Score score = run.summary.stages() == null ? null : run.summary.stages().score();
        if (score != null) {
            d.set("by_category", Json.mapper().valueToTree(score.byCategory()));
            d.set("by_class", Json.mapper().valueToTree(score.byClass()));
        }
        List<String> findings = new ArrayList<>();
        Map<String, Long> counted = new TreeMap<>();
        run.each("scored.jsonl", (n, s) -> counted.merge(s == null ? "?" : s.path("category").asText(), 1L, Long::sum));
        Map<String, Long> summarized = new TreeMap<>(score == null || score.byCategory() == null ? Map.of() : score.byCategory());
        if (!counted.equals(summarized)) {
            findings.add("scored.jsonl's categories " + counted + " are not the summary's " + summarized);
        }
        findings.addAll(invariants(run, invariants, "score_reproducible", "never_sft_consistent", "no_sft_from_never_sft", "no_pii_in_sft",
                "no_pii_in_preference", "no_pii_in_exports"));
        return of(3, findings, d);
    }

    /** (4) export determinism: stages 2–5 again from the evidence, every file's bytes compared. */
    static Phase exportDeterminism(RunView run) throws IOException {
        ObjectNode d = NODES.objectNode();
        List<String> findings = new ArrayList<>();
        run.reexport().forEach((f, sha) -> {
            d.putObject(f).put("stored", sha[0]).put("again", sha[1]);
            if (!java.util.Objects.equals(sha[0], sha[1])) {
                findings.add(f + " is not byte-identical when exported again");
            }
        });
        if (run.reexport().isEmpty()) {
            findings.add("the run has no score or export stage to repeat");
        }
        return of(4, findings, d);
    }

    /** (5) run summaries: counts consistent across stages and with the files. */
    static Phase summaries(RunView run, List<Acceptance.Outcome> invariants) throws IOException {
        List<String> findings = new ArrayList<>(invariants(run, invariants, "conservation", "scored_covers_evidence", "summary_matches_files",
                "openai_mirrors_trl"));
        RunSummary.Stages st = run.summary.stages() == null ? new RunSummary.Stages(null, null, null) : run.summary.stages();
        long evidence = run.summary.materialize().evidence();
        ObjectNode d = NODES.objectNode();
        if (st.score() != null) {
            long byCategory = sum(st.score().byCategory());
            long byClass = sum(st.score().byClass());
            d.put("evidence", evidence).put("scored_by_category", byCategory).put("scored_by_class", byClass);
            if (byCategory != evidence || byClass != evidence) {
                findings.add("evidence " + evidence + " but " + byCategory + " scored by category and " + byClass + " by class");
            }
        }
        if (st.export() != null) {
            Map<String, RunSummary.FileStat> files = st.export().files() == null ? Map.of() : st.export().files();
            long sft = sum(st.export().sftByClass());
            d.put("sft_by_class", sft);
            RunSummary.FileStat trl = files.get("sft/trl.jsonl");
            if (trl != null && trl.records() != sft) {
                findings.add("sft/trl.jsonl has " + trl.records() + " records, sft_by_class sums to " + sft);
            }
            long answered = st.score() == null || st.score().byClass() == null ? 0 : st.score().byClass().getOrDefault("retrieval_answer", 0L);
            RunSummary.FileStat queries = files.get("rag/queries.jsonl");
            if (queries != null && queries.records() > answered) {
                findings.add("more RAG queries than retrieval records");
            }
        }
        return of(5, findings, d);
    }

    private static long sum(Map<String, Long> counts) {
        return counts == null ? 0 : counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** (6) acceptance: every invariant of the harness. */
    static Phase acceptance(RunView run, List<Acceptance.Outcome> invariants) {
        List<String> findings = new ArrayList<>();
        ObjectNode d = NODES.objectNode();
        for (Acceptance.Invariant i : Acceptance.ALL) {
            Acceptance.Outcome o = outcome(run, invariants, i.name());
            d.put(i.name(), o.passed() ? "pass" : "fail");
            if (!o.passed()) {
                findings.add(i.name() + ": " + o.violations() + " violation(s), e.g. " + o.examples().get(0));
            }
        }
        return of(6, findings, d);
    }

    /** (7) replay: a seeded sample replayed (a replay of its own, under the run), regressions reported. */
    static Phase replay(RunView run, Options o, Replay.Peers peers, Path runDir, String auditId) throws IOException {
        if (o.replaySample() <= 0) {
            return new Phase(7, PHASES.get(7), "skipped", List.of("no replay sample asked (replay_sample 0)"), NODES.objectNode(), 0);
        }
        String id = "replay-" + auditId.substring("audit-".length());
        ReplaySummary s = Replay.run(runDir, id, new Replay.Options(null, null, null, o.replaySample(), o.seed(), o.concurrency(), 0,
                o.provider(), o.model()), peers, (a, b) -> { });
        List<String> findings = new ArrayList<>();
        if (s.regressed() > 0) {
            findings.add(s.regressed() + " of " + s.replayed() + " replayed records regressed: by class "
                    + Json.mapper().valueToTree(s.regressionsByClass()) + ", by provider " + Json.mapper().valueToTree(s.regressionsByProvider()));
        }
        if (s.errors() > 0) {
            findings.add(s.errors() + " of " + s.replayed() + " records could not be replayed (a peer failed; "
                    + "see replays/" + id + "/replay_runs.jsonl)");
        }
        JsonNode details = Json.mapper().valueToTree(s);
        if (s.selected() == 0) {
            return new Phase(7, PHASES.get(7), "skipped", List.of("the run has no replayable record"), details, 0);
        }
        return of(7, findings, details);
    }

    private static List<String> invariants(RunView run, List<Acceptance.Outcome> done, String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            Acceptance.Outcome o = outcome(run, done, n);
            o.examples().forEach(e -> out.add(n + ": " + e));
        }
        return out;
    }

    /** An invariant's outcome, checked once per audit. */
    private static Acceptance.Outcome outcome(RunView run, List<Acceptance.Outcome> done, String name) {
        for (Acceptance.Outcome o : done) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        Acceptance.Outcome o = Acceptance.check(run, Acceptance.named(name));
        done.add(o);
        return o;
    }

    private static AuditReport report(Path dir, String id, Path runDir, String started, List<Phase> phases,
                                      List<Acceptance.Outcome> invariants) throws IOException {
        List<Acceptance.Outcome> sorted = new ArrayList<>(invariants);
        sorted.sort(Comparator.comparingInt(o -> Acceptance.ALL.indexOf(Acceptance.named(o.name()))));
        AuditReport r = new AuditReport(id, runDir.getFileName().toString(), runDir.toAbsolutePath().normalize().toString(), started,
                Instant.now().toString(), phases.stream().noneMatch(p -> p.status().equals("fail")), List.copyOf(phases), sorted);
        Files.createDirectories(dir);
        AtomicFile.write(dir.resolve("report.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(r));
        AtomicFile.write(dir.resolve("report.md"), markdown(r).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** The human report: a table of phases, then a section per phase with what it found, then the invariants. */
    static String markdown(AuditReport r) {
        StringBuilder md = new StringBuilder();
        md.append("# Audit ").append(r.id()).append(" of run ").append(r.run()).append("\n\n");
        md.append(r.passed() ? "**Passed.**" : "**Failed.**").append(" Started ").append(r.startedAt())
                .append(", finished ").append(r.finishedAt()).append(".\n\n");
        md.append("| phase | | status | took |\n|---|---|---|---|\n");
        for (Phase p : r.phases()) {
            md.append("| ").append(p.phase()).append(" | ").append(p.name()).append(" | ")
                    .append(p.status()).append(" | ").append(p.tookMs()).append(" ms |\n");
        }
        for (Phase p : r.phases()) {
            md.append("\n## ").append(p.phase()).append(". ").append(p.name()).append(": ").append(p.status()).append("\n\n");
            if (p.findings().isEmpty()) {
                md.append("Nothing found.\n");
            }
            for (String f : p.findings()) {
                md.append("- ").append(f.replace("\n", " ")).append('\n');
            }
            md.append("\n```json\n").append(Templates.json(p.details())).append("\n```\n");
        }
        if (!r.invariants().isEmpty()) {
            md.append("\n## Invariants\n\n| invariant | | violations |\n|---|---|---|\n");
            for (Acceptance.Outcome i : r.invariants()) {
                md.append("| `").append(i.name()).append("` | ").append(i.passed() ? "pass" : "**fail**")
                        .append(" | ").append(i.violations()).append(" |\n");
            }
        }
        return md.toString();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
