package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;
import dev.lakehouse.distillation.CanonicalJson;

/**
 * The acceptance harness (docs/distilld.md, "acceptance"): named invariants over a finished run, each a small function
 * that reports what breaks it. They read the run's files a line at a time (a merge of two files in the same order where
 * they need both), so a run of a million observations is checked in bounded memory: what they hold is 64-bit prefixes
 * of ids and hashes, and the RAG ids.
 */
final class Acceptance {
    /** An invariant: its name, what it says, and the check that finds what breaks it. */
    record Invariant(String name, String says, Check check) {
    }

    @FunctionalInterface
    interface Check {
        void run(RunView run, RunView.Findings found) throws IOException;
    }

    /** An invariant's outcome. */
    record Outcome(String name, String says, boolean passed, long violations, List<String> examples, long tookMs) {
    }

    static final List<Invariant> ALL = List.of(
            new Invariant("conservation", "every input line ends in exactly one place: lines = before_since + events_in_evidence + "
                    + "quarantined + duplicate_events + replay_events + shadow_events + iterate_calls + pending_out_events - pending_in_events, and the files hold what the summary counts", Acceptance::conservation),
            new Invariant("provenance_resolves", "every event id of every evidence record is the event id of a line of the run's input",
                    Acceptance::provenanceResolves),
            new Invariant("provenance_disjoint", "no event is the provenance of two evidence records", Acceptance::provenanceDisjoint),
            new Invariant("evidence_hash", "every evidence record's hash is the SHA-256 of its canonical {type, content} and its id the "
                    + "first 32 hex digits", Acceptance::evidenceHash),
            new Invariant("evidence_unique", "no two evidence records have the same content hash", Acceptance::evidenceUnique),
            new Invariant("evidence_ts_observed", "every evidence time is an observed time of its input, never the run's clock",
                    Acceptance::evidenceTsObserved),
            new Invariant("quarantine_complete", "every quarantined line has a known reason, its raw text and the stable id of its "
                    + "file, offset and text", Acceptance::quarantineComplete),
            new Invariant("scored_covers_evidence", "scored.jsonl has one row per evidence record, in the same order",
                    Acceptance::scoredCoversEvidence),
            new Invariant("one_category", "no record is in two categories: every evidence id is scored once, with one of the six "
                    + "categories", Acceptance::oneCategory),
            new Invariant("score_reproducible", "scoring each evidence record again gives the stored category, class and never_sft",
                    Acceptance::scoreReproducible),
            new Invariant("never_sft_consistent", "a record is never-SFT exactly when it is pii, flagged or failed",
                    Acceptance::neverSftConsistent),
            new Invariant("no_sft_from_never_sft", "no SFT sample comes from a never-SFT record", Acceptance::noSftFromNeverSft),
            new Invariant("no_pii_in_sft", "the audit's second, broader detector (BroadScan: every digit run normalized, the roster's "
                    + "contacts, SSN, phone and e-mail shapes; no code shared with the firewall) finds nothing in the SFT files",
                    Acceptance::noPiiInSft),
            new Invariant("no_pii_in_preference", "the broader detector finds nothing in the preference files", Acceptance::noPiiInPreference),
            new Invariant("no_pii_in_exports", "the broader detector finds nothing in any export file: SFT, RAG corpus, queries, qrels and "
                    + "chunks, preference, and every replay's outputs", Acceptance::noPiiInExports),
            new Invariant("sft_class_matches", "every SFT sample names one of the eight classes, the class and category its record "
                    + "was scored with", Acceptance::sftClassMatches),
            new Invariant("sft_templates_parse", "every SFT sample parses as its class's format", Acceptance::sftTemplatesParse),
            new Invariant("openai_mirrors_trl", "line i of each OpenAI file is line i of its TRL file in OpenAI's shape",
                    Acceptance::openaiMirrorsTrl),
            new Invariant("chosen_valid_rejected_invalid", "every preference pair's chosen answer is a valid attempt and its rejected "
                    + "answer an invalid attempt of one iterate run with that prompt", Acceptance::chosenValidRejectedInvalid),
            new Invariant("qrels_resolve", "every qrel of both splits points at an existing query id and corpus id, with score 1 (the "
                    + "answer used the passage) or 0 (a hard negative), and no query is in both splits",
                    Acceptance::qrelsResolve),
            new Invariant("rag_ids_unique", "corpus, query and chunk ids are unique, and every chunk has its corpus document",
                    Acceptance::ragIdsUnique),
            new Invariant("rag_from_answered", "every RAG query is a retrieval record a chat call answered from",
                    Acceptance::ragFromAnswered),
            new Invariant("exports_deterministic", "scoring and exporting the evidence again gives byte-identical files",
                    Acceptance::exportsDeterministic),
            new Invariant("summary_matches_files", "every file the summary names has the records and SHA-256 it says, and the run's "
                    + "baseline the same hashes", Acceptance::summaryMatchesFiles),
            new Invariant("schemas_valid", "every record of every output validates against its schema in docs/schemas",
                    Acceptance::schemasValid),
            new Invariant("replay_confined", "every replay of the run wrote only its own files, inside <run>/replays/<id>/",
                    Acceptance::replayConfined),
            new Invariant("replay_regressions_flagged", "every replayed record that regressed and is in an export is flagged for review",
                    Acceptance::replayRegressionsFlagged));

    private Acceptance() {
    }

    /** Runs the invariants named (all when null), in order. */
    static List<Outcome> run(RunView run, Set<String> only) {
        List<Outcome> out = new ArrayList<>();
        for (Invariant i : ALL) {
            if (only != null && !only.contains(i.name())) {
                continue;
            }
            out.add(check(run, i));
        }
        return out;
    }

    static Outcome check(RunView run, Invariant i) {
        long t0 = System.nanoTime();
        RunView.Findings found = new RunView.Findings();
        try {
            i.check().run(run, found);
        } catch (IOException | RuntimeException e) {   // a file the check cannot read breaks it too
            found.add("cannot check: " + e);
        }
        return new Outcome(i.name(), i.says(), found.count() == 0, found.count(), found.examples(), (System.nanoTime() - t0) / 1_000_000);
    }

    static Invariant named(String name) {
        return ALL.stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no invariant " + name));
    }

    // ---- materialize

    static void conservation(RunView run, RunView.Findings found) throws IOException {
        RunSummary.Materialize m = run.summary.materialize();
        long lines = m.lines();
        long sum = m.beforeSince() + m.eventsInEvidence() + m.quarantined() + m.duplicateEvents() + m.replayEvents() + m.shadowEvents()
                + m.iterateCalls() + m.pendingOutEvents() - m.pendingInEvents();
        if (lines != sum) {
            found.add("summary: lines " + lines + " but before_since + events_in_evidence + quarantined + duplicate_events + "
                    + "replay_events + shadow_events + iterate_calls + pending_out_events - pending_in_events = " + sum);
        }
        long[] records = {0};
        long[] events = {0};
        run.each("evidence.jsonl", (n, e) -> {
            records[0]++;
            events[0] += e == null ? 0 : e.path("event_ids").size();
        });
        if (records[0] != m.evidence()) {
            found.add("evidence.jsonl holds " + records[0] + " records, the summary says " + m.evidence());
        }
        if (events[0] != m.eventsInEvidence()) {
            found.add("evidence.jsonl's records name " + events[0] + " events, the summary says events_in_evidence " + m.eventsInEvidence());
        }
        long[] q = {0};
        run.each("quarantine.jsonl", (n, x) -> q[0]++);
        if (q[0] != m.quarantined()) {
            found.add("quarantine.jsonl holds " + q[0] + " records, the summary says quarantined " + m.quarantined());
        }
    }

    private static long key(String s) {
        return Long.parseUnsignedLong(CanonicalJson.sha256(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16), 16);
    }

    /** The event ids of the run's input: each day file's range as the summary gives it, then the lines released. */
    private static void inputEvents(RunView run, java.util.function.BiConsumer<String, String> idAndTs) throws IOException {
        RunSummary.Inputs in = run.summary.inputs();
        if (in == null) {
            return;
        }
        Path obs = Path.of(in.observations() == null ? "." : in.observations());
        for (Map.Entry<String, RunSummary.Range> f : (in.files() == null ? Map.<String, RunSummary.Range>of() : in.files()).entrySet()) {
            long to = f.getValue().to();
            Path file = obs.resolve(f.getKey());
            if (!Files.exists(file) || !f.getKey().matches("\\d{4}-\\d{2}-\\d{2}\\.jsonl")) {
                continue;
            }
            JsonLines.read(file, f.getValue().from(), (line, offset) -> {
                if (offset >= to) {
                    return false;
                }
                event(line, idAndTs);
                return true;
            });
        }
        if (in.released() != null && in.released().review() != null) {
            QuarantineReview r = new QuarantineReview(Path.of(in.released().review()).getParent());
            for (byte[] line : r.releasedFrom(in.released().from(), in.released().to())) {
                event(line, idAndTs);
            }
        }
        for (List<dev.lakehouse.observerd.ObserveEvent> held : Pipeline.readPendingIn(run.dir)) {   // held over
            held.forEach(e -> idAndTs.accept(e.eventId(), e.ts()));
        }
    }

    private static void event(byte[] line, java.util.function.BiConsumer<String, String> idAndTs) {
        try {
            JsonNode n = Json.mapper().readTree(line);
            if (n != null && n.path("event_id").isTextual()) {
                idAndTs.accept(n.path("event_id").asText(), n.path("ts").asText(null));
            }
        } catch (IOException notJson) {
            // a quarantined line: no event
        }
    }

    /** The 64-bit keys of every event id evidence.jsonl names, sorted (8 bytes each, however many there are). */
    private static long[] evidenceEventKeys(RunView run) throws IOException {
        long[][] keys = {new long[1 << 16]};
        int[] n = {0};
        run.each("evidence.jsonl", (line, e) -> {
            if (e != null) {
                for (JsonNode id : e.path("event_ids")) {
                    if (n[0] == keys[0].length) {
                        keys[0] = java.util.Arrays.copyOf(keys[0], keys[0].length * 2);
                    }
                    keys[0][n[0]++] = key(id.asText());
                }
            }
        });
        long[] out = java.util.Arrays.copyOf(keys[0], n[0]);
        java.util.Arrays.sort(out);
        return out;
    }

    /** Names the evidence records whose event ids have one of {@code keys} (a second pass, only when something broke). */
    private static void name(RunView run, java.util.Set<Long> keys, String what, RunView.Findings found) throws IOException {
        run.each("evidence.jsonl", (line, e) -> {
            if (e != null) {
                for (JsonNode id : e.path("event_ids")) {
                    if (keys.contains(key(id.asText()))) {
                        found.add("evidence.jsonl line " + line + " (" + e.path("evidence_id").asText() + ") names event " + id.asText() + what);
                    }
                }
            }
        });
    }

    static void provenanceResolves(RunView run, RunView.Findings found) throws IOException {
        long[] wanted = evidenceEventKeys(run);
        java.util.BitSet seen = new java.util.BitSet(wanted.length);
        inputEvents(run, (id, ts) -> {
            int at = java.util.Arrays.binarySearch(wanted, key(id));
            for (int i = at; i >= 0 && i < wanted.length && wanted[i] == wanted[at]; i++) {
                seen.set(i);
            }
            for (int i = at - 1; at >= 0 && i >= 0 && wanted[i] == wanted[at]; i--) {
                seen.set(i);
            }
        });
        java.util.Set<Long> missing = new HashSet<>();
        for (int i = seen.nextClearBit(0); i < wanted.length; i = seen.nextClearBit(i + 1)) {
            missing.add(wanted[i]);
        }
        if (!missing.isEmpty()) {
            name(run, missing, ", which is not in the run's input", found);
        }
    }

    static void provenanceDisjoint(RunView run, RunView.Findings found) throws IOException {
        long[] keys = evidenceEventKeys(run);
        java.util.Set<Long> twice = new HashSet<>();
        for (int i = 1; i < keys.length; i++) {
            if (keys[i] == keys[i - 1]) {
                twice.add(keys[i]);
            }
        }
        if (!twice.isEmpty()) {
            name(run, twice, ", which another record names too", found);
        }
    }

    static void evidenceHash(RunView run, RunView.Findings found) throws IOException {
        run.each("evidence.jsonl", (n, e) -> {
            if (e == null) {
                found.add("evidence.jsonl line " + n + " is not JSON");
                return;
            }
            ObjectNode hashed = Json.mapper().createObjectNode().put("type", e.path("type").asText());
            hashed.set("content", e.path("content"));
            String hash = CanonicalJson.sha256(CanonicalJson.bytes(hashed));
            if (!hash.equals(e.path("hash").asText()) || !hash.startsWith(e.path("evidence_id").asText("-")) || e.path("evidence_id")
                    .asText().length() != 32) {
                found.add("evidence.jsonl line " + n + " (" + e.path("evidence_id").asText() + "): its hash or id is not that of its content");
            }
        });
    }

    static void evidenceUnique(RunView run, RunView.Findings found) throws IOException {
        Set<Long> seen = new HashSet<>();
        run.each("evidence.jsonl", (n, e) -> {
            if (e != null && e.path("hash").isTextual() && e.path("hash").asText().length() >= 16
                    && !seen.add(Long.parseUnsignedLong(e.path("hash").asText().substring(0, 16), 16))) {
                found.add("evidence.jsonl line " + n + " (" + e.path("evidence_id").asText() + ") repeats the content of an earlier record");
            }
        });
    }

    static void evidenceTsObserved(RunView run, RunView.Findings found) throws IOException {
        Instant[] range = {null, null};
        inputEvents(run, (id, ts) -> {
            try {
                Instant t = Instant.parse(ts);
                range[0] = range[0] == null || t.isBefore(range[0]) ? t : range[0];
                range[1] = range[1] == null || t.isAfter(range[1]) ? t : range[1];
            } catch (RuntimeException notATime) {
                // a line that is not an event: quarantined, no time
            }
        });
        run.each("evidence.jsonl", (n, e) -> {
            if (e == null) {
                return;
            }
            Instant t;
            try {
                t = Instant.parse(e.path("ts").asText());
            } catch (RuntimeException bad) {
                found.add("evidence.jsonl line " + n + ": ts '" + e.path("ts").asText() + "' is not RFC 3339");
                return;
            }
            if (range[0] == null || t.isBefore(range[0]) || t.isAfter(range[1])) {
                found.add("evidence.jsonl line " + n + ": ts " + t + " is outside the input's observed times " + range[0] + " … " + range[1]);
            }
        });
    }

    static void quarantineComplete(RunView run, RunView.Findings found) throws IOException {
        Set<String> reasons = new HashSet<>();
        for (Quarantined.Reason r : Quarantined.Reason.values()) {
            reasons.add(r.toString());
        }
        run.each("quarantine.jsonl", (n, q) -> {
            if (q == null || !reasons.contains(q.path("reason").asText()) || !q.path("raw").isTextual() || !q.path("file").isTextual()) {
                found.add("quarantine.jsonl line " + n + ": no known reason, raw line or file");
                return;
            }
            String id = Quarantined.idOf(q.path("file").asText(), q.path("offset").asLong(), q.path("raw").asText());
            if (!id.equals(q.path("quarantine_id").asText())) {
                found.add("quarantine.jsonl line " + n + ": id " + q.path("quarantine_id").asText() + " is not that of its file, offset and "
                        + "text (" + id + ")");
            }
        });
    }

    // ---- score

    /** Visits evidence.jsonl and scored.jsonl side by side; a row missing on either side is null. */
    private interface Pairs {
        void at(long n, JsonNode evidence, JsonNode scored) throws IOException;
    }

    private static void sideBySide(RunView run, Pairs v) throws IOException {
        if (!run.has("scored.jsonl")) {
            return;
        }
        try (var scored = Files.newBufferedReader(run.file("scored.jsonl"))) {
            run.each("evidence.jsonl", (n, e) -> {
                String line = scored.readLine();
                v.at(n, e, line == null ? null : Json.mapper().readTree(line));
            });
            long n = 0;
            for (String line = scored.readLine(); line != null; line = scored.readLine()) {
                v.at(-(++n), null, Json.mapper().readTree(line));
            }
        }
    }

    static void scoredCoversEvidence(RunView run, RunView.Findings found) throws IOException {
        sideBySide(run, (n, e, s) -> {
            if (e == null) {
                found.add("scored.jsonl has a row past the last evidence record: " + s.path("evidence_id").asText());
            } else if (s == null) {
                found.add("evidence.jsonl line " + n + " (" + e.path("evidence_id").asText() + ") has no scored row");
            } else if (!s.path("evidence_id").asText().equals(e.path("evidence_id").asText())) {
                found.add("scored.jsonl line " + n + " is " + s.path("evidence_id").asText() + ", evidence line " + n + " is "
                        + e.path("evidence_id").asText());
            }
        });
    }

    static void oneCategory(RunView run, RunView.Findings found) throws IOException {
        Set<String> categories = new HashSet<>();
        for (Scored.Category c : Scored.Category.values()) {
            categories.add(c.toString());
        }
        Set<Long> seen = new HashSet<>();
        run.each("scored.jsonl", (n, s) -> {
            if (s == null || !categories.contains(s.path("category").asText())) {
                found.add("scored.jsonl line " + n + ": category " + (s == null ? "?" : s.path("category")) + " is not one of the six");
            } else if (!seen.add(key(s.path("evidence_id").asText()))) {
                found.add("scored.jsonl line " + n + ": " + s.path("evidence_id").asText() + " is scored twice");
            }
        });
    }

    static void scoreReproducible(RunView run, RunView.Findings found) throws IOException {
        Scorer scorer = new Scorer(run.flaggedProviders(), run.privacy());
        sideBySide(run, (n, e, s) -> {
            if (e == null || s == null) {
                return;   // scored_covers_evidence says it
            }
            Scored again = scorer.score(Json.mapper().treeToValue(e, Evidence.class));
            if (!again.category().toString().equals(s.path("category").asText()) || !again.sourceClass().toString().equals(
                    s.path("class").asText()) || again.neverSft() != s.path("never_sft").asBoolean()) {
                found.add("scored.jsonl line " + n + " (" + e.path("evidence_id").asText() + "): stored " + s.path("category").asText() + "/"
                        + s.path("class").asText() + "/never_sft=" + s.path("never_sft") + ", scored again " + again.category() + "/"
                        + again.sourceClass() + "/never_sft=" + again.neverSft());
            }
        });
    }

    static void neverSftConsistent(RunView run, RunView.Findings found) throws IOException {
        Set<String> never = Set.of("pii", "flagged", "failed");
        run.each("scored.jsonl", (n, s) -> {
            if (s != null && never.contains(s.path("category").asText()) != s.path("never_sft").asBoolean()) {
                found.add("scored.jsonl line " + n + ": category " + s.path("category").asText() + " with never_sft " + s.path("never_sft"));
            }
        });
    }

    // ---- SFT

    /** Visits the SFT samples with the scored row of their record (null when none is found after the previous one). */
    private static void sftWithScore(RunView run, Pairs v) throws IOException {
        if (!run.has("sft/trl.jsonl") || !run.has("scored.jsonl")) {
            return;
        }
        try (var scored = Files.newBufferedReader(run.file("scored.jsonl"))) {
            run.each("sft/trl.jsonl", (n, sample) -> {
                String id = sample == null ? null : sample.path("metadata").path("evidence_id").asText(null);
                JsonNode row = null;
                for (String line = id == null ? null : scored.readLine(); line != null; line = scored.readLine()) {
                    JsonNode s = Json.mapper().readTree(line);
                    if (s.path("evidence_id").asText().equals(id)) {
                        row = s;
                        break;
                    }
                }
                v.at(n, sample, row);
            });
        }
    }

    static void noSftFromNeverSft(RunView run, RunView.Findings found) throws IOException {
        sftWithScore(run, (n, sample, s) -> {
            if (s == null || s.path("never_sft").asBoolean(true)) {
                found.add("sft/trl.jsonl line " + n + ": record " + (sample == null ? "?" : sample.path("metadata").path("evidence_id").asText())
                        + (s == null ? " is not a scored record (in order)" : " is never-SFT (" + s.path("category").asText() + ")"));
            }
        });
    }

    static void noPiiInSft(RunView run, RunView.Findings found) throws IOException {
        broadScan(run, List.of("sft/trl.jsonl", "sft/openai.jsonl"), found);
    }

    static void noPiiInPreference(RunView run, RunView.Findings found) throws IOException {
        broadScan(run, List.of("preference/trl.jsonl", "preference/openai.jsonl"), found);
    }

    static void noPiiInExports(RunView run, RunView.Findings found) throws IOException {
        List<String> files = new ArrayList<>(Exporter.FILES);
        Path replays = run.file("replays");
        if (Files.isDirectory(replays, LinkOption.NOFOLLOW_LINKS)) {
            try (var dirs = Files.list(replays)) {
                dirs.sorted().forEach(d -> files.add("replays/" + d.getFileName() + "/replay_runs.jsonl"));
            }
        }
        broadScan(run, files, found);
    }

    /** Every line of the files (those that exist) through the broader detector; a finding names the file, line and shapes, never the value. */
    private static void broadScan(RunView run, List<String> files, RunView.Findings found) throws IOException {
        BroadScan scan = run.broadScan();
        for (String f : files) {
            Path file = run.file(f);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            long[] n = {0};
            JsonLines.read(file, 0, (bytes, offset) -> {
                n[0]++;
                List<String> shapes = scan.scan(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
                if (!shapes.isEmpty()) {
                    found.add(f + " line " + n[0] + ": " + String.join(", ", shapes));
                }
                return true;
            });
        }
    }

    static void sftClassMatches(RunView run, RunView.Findings found) throws IOException {
        sftWithScore(run, (n, sample, s) -> {
            if (s == null || sample == null) {
                found.add("sft/trl.jsonl line " + n + ": no scored record to compare with");
                return;
            }
            JsonNode md = sample.path("metadata");
            if (!md.path("class").asText().equals(s.path("class").asText()) || !md.path("category").asText().equals(
                    s.path("category").asText())) {
                found.add("sft/trl.jsonl line " + n + ": class/category " + md.path("class").asText() + "/" + md.path("category").asText()
                        + ", its record was scored " + s.path("class").asText() + "/" + s.path("category").asText());
            }
        });
    }

    static void sftTemplatesParse(RunView run, RunView.Findings found) throws IOException {
        run.each("sft/trl.jsonl", (n, sample) -> {
            String why = sample == null ? "not JSON" : Formats.problem(sample.path("metadata").path("class").asText(), sample.path("messages"));
            if (why != null) {
                found.add("sft/trl.jsonl line " + n + ": " + why);
            }
        });
    }

    static void openaiMirrorsTrl(RunView run, RunView.Findings found) throws IOException {
        mirror(run, found, "sft/trl.jsonl", "sft/openai.jsonl", trl -> {
            ObjectNode o = Json.mapper().createObjectNode();
            o.set("messages", trl.path("messages"));
            return o;
        });
        mirror(run, found, "preference/trl.jsonl", "preference/openai.jsonl", trl -> {
            ObjectNode o = Json.mapper().createObjectNode();
            o.putObject("input").set("messages", trl.path("prompt"));
            o.set("preferred_output", trl.path("chosen"));
            o.set("non_preferred_output", trl.path("rejected"));
            return o;
        });
    }

    private static void mirror(RunView run, RunView.Findings found, String trl, String openai,
                               java.util.function.Function<JsonNode, JsonNode> shape) throws IOException {
        if (!run.has(trl) && !run.has(openai)) {
            return;
        }
        if (!run.has(trl) || !run.has(openai)) {
            found.add(run.has(trl) ? openai + " is missing" : trl + " is missing");
            return;
        }
        try (var other = Files.newBufferedReader(run.file(openai))) {
            run.each(trl, (n, t) -> {
                String line = other.readLine();
                if (line == null) {
                    found.add(openai + " ends before line " + n + " of " + trl);
                } else if (t == null || !Json.mapper().readTree(line).equals(shape.apply(t))) {
                    found.add(openai + " line " + n + " is not line " + n + " of " + trl);
                }
            });
            if (other.readLine() != null) {
                found.add(openai + " has more lines than " + trl);
            }
        }
    }

    static void chosenValidRejectedInvalid(RunView run, RunView.Findings found) throws IOException {
        if (!run.has("preference/trl.jsonl")) {
            return;
        }
        dev.lakehouse.privacy.Masker masker = run.privacy().masker();
        // placeholders are numbered per pair: compared without their numbers
        java.util.function.UnaryOperator<String> unnumbered = t -> t == null ? null : t.replaceAll("\\[(PHONE|EMAIL)_[0-9]+]", "[$1]");
        try (var evidence = Files.newBufferedReader(run.file("evidence.jsonl"))) {
            run.each("preference/trl.jsonl", (n, pair) -> {
                String chosen = pair == null ? null : unnumbered.apply(pair.path("chosen").path(0).path("content").asText(null));
                String rejected = pair == null ? null : unnumbered.apply(pair.path("rejected").path(0).path("content").asText(null));
                for (String line = evidence.readLine(); line != null; line = evidence.readLine()) {
                    JsonNode e = Json.mapper().readTree(line);
                    if (!"iterate".equals(e.path("type").asText())) {
                        continue;
                    }
                    boolean good = false;
                    boolean bad = false;
                    for (JsonNode a : e.path("content").path("attempts")) {
                        String out = a.path("output").asText("");
                        good |= a.path("valid").asBoolean() && unnumbered.apply(masker.mask(out)).equals(chosen);
                        bad |= !a.path("valid").asBoolean() && unnumbered.apply(masker.mask(out)).equals(rejected);
                    }
                    if (good && bad) {
                        return;
                    }
                }
                found.add("preference/trl.jsonl line " + n + ": no iterate run (after the previous pair's) has its chosen answer as a valid "
                        + "attempt and its rejected answer as an invalid one");
            });
        }
    }

    // ---- RAG

    static void qrelsResolve(RunView run, RunView.Findings found) throws IOException {
        Set<String> queries = new HashSet<>();
        Set<String> corpus = new HashSet<>();
        run.each("rag/queries.jsonl", (n, q) -> queries.add(q == null ? "" : q.path("_id").asText()));
        run.each("rag/corpus.jsonl", (n, d) -> corpus.add(d == null ? "" : d.path("_id").asText()));
        Map<String, String> splits = new HashMap<>();
        for (String f : List.of("rag/qrels/train.tsv", "rag/qrels/test.tsv")) {
            run.qrels(f, (c, n) -> {
                if (c.length != 3 || !c[2].equals("1") && !c[2].equals("0")) {
                    found.add(f + " line " + n + ": not query-id, corpus-id and score 0 or 1");
                } else if (!queries.contains(c[0]) || !corpus.contains(c[1])) {
                    found.add(f + " line " + n + ": " + (!queries.contains(c[0]) ? "query " + c[0] : "corpus id " + c[1]) + " does not exist");
                } else if (!splits.computeIfAbsent(c[0], q -> f).equals(f)) {
                    found.add(f + " line " + n + ": query " + c[0] + " is in both splits");
                }
            });
        }
    }

    static void ragIdsUnique(RunView run, RunView.Findings found) throws IOException {
        Set<String> corpus = new HashSet<>();
        run.each("rag/corpus.jsonl", (n, d) -> {
            if (d == null || !corpus.add(d.path("_id").asText())) {
                found.add("rag/corpus.jsonl line " + n + ": id repeated");
            }
        });
        Set<String> queries = new HashSet<>();
        run.each("rag/queries.jsonl", (n, q) -> {
            if (q == null || !queries.add(q.path("_id").asText())) {
                found.add("rag/queries.jsonl line " + n + ": id repeated");
            }
        });
        Set<String> chunks = new HashSet<>();
        run.each("rag/chunks.jsonl", (n, c) -> {
            String id = c == null ? "" : c.path("corpus").asText() + "/" + c.path("id").asText();
            if (!chunks.add(id)) {
                found.add("rag/chunks.jsonl line " + n + ": chunk " + id + " repeated");
            } else if (!corpus.contains(id)) {
                found.add("rag/chunks.jsonl line " + n + ": chunk " + id + " has no corpus document");
            }
        });
    }

    static void ragFromAnswered(RunView run, RunView.Findings found) throws IOException {
        if (!run.has("rag/queries.jsonl")) {
            return;
        }
        Set<String> answered = new HashSet<>();
        run.each("scored.jsonl", (n, s) -> {
            if (s != null && "retrieval_answer".equals(s.path("class").asText()) && "accepted".equals(s.path("category").asText())) {
                answered.add(s.path("evidence_id").asText());
            }
        });
        run.each("rag/queries.jsonl", (n, q) -> {
            if (q == null || !answered.contains(q.path("_id").asText())) {
                found.add("rag/queries.jsonl line " + n + ": " + (q == null ? "?" : q.path("_id").asText())
                        + " is not an answered retrieval record");
            }
        });
    }

    // ---- export and summary

    static void exportsDeterministic(RunView run, RunView.Findings found) throws IOException {
        run.reexport().forEach((f, sha) -> {
            if (!java.util.Objects.equals(sha[0], sha[1])) {
                found.add(f + ": stored " + abbreviate(sha[0]) + ", exported again " + abbreviate(sha[1]));
            }
        });
    }

    private static String abbreviate(String sha) {
        return sha == null ? "(none)" : sha.substring(0, 12) + "…";
    }

    static void summaryMatchesFiles(RunView run, RunView.Findings found) throws IOException {
        Map<String, String> hashes = new HashMap<>();
        for (Map.Entry<String, RunSummary.FileStat> f : run.summary.allFiles().entrySet()) {
            Path file = run.file(f.getKey());
            String sha = RunView.sha256(file);
            hashes.put(f.getKey(), sha);
            if (sha == null) {
                found.add(f.getKey() + ": named by the summary, missing");
                continue;
            }
            long lines = 0;
            try (var in = Files.newBufferedReader(file)) {
                while (in.readLine() != null) {
                    lines++;
                }
            }
            if (lines != f.getValue().records() || !sha.equals(f.getValue().sha256())) {
                found.add(f.getKey() + ": the summary says " + f.getValue().records() + " records, SHA-256 "
                        + abbreviate(f.getValue().sha256()) + "; the file has " + lines + ", " + abbreviate(sha));
            }
        }
        Path baselines = run.dir.getParent() == null || run.dir.getParent().getParent() == null ? null
                : run.dir.getParent().getParent().resolve("audit_baselines.jsonl");
        if (baselines != null && Files.exists(baselines)) {
            for (Baselines.Baseline b : Baselines.read(baselines)) {
                if (b.run().equals(run.dir.getFileName().toString())) {
                    b.hashes().forEach((f, sha) -> {
                        if (hashes.containsKey(f) && !sha.equals(hashes.get(f))) {
                            found.add(f + ": the run's baseline has SHA-256 " + abbreviate(sha) + ", the file " + abbreviate(hashes.get(f)));
                        }
                    });
                }
            }
        }
    }

    static void schemasValid(RunView run, RunView.Findings found) throws IOException {
        run.schemaErrors().forEach((f, errors) -> {
            errors.examples().forEach(found::add);
            found.more(errors.count() - errors.examples().size());
        });
    }

    // ---- replay

    static void replayConfined(RunView run, RunView.Findings found) throws IOException {
        Path replays = run.file("replays");
        if (!Files.isDirectory(replays, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(replays, LinkOption.NOFOLLOW_LINKS)) {
                found.add("replays is not a directory of the run (a link?)");
            }
            return;
        }
        Path root = run.dir.toRealPath();
        try (var dirs = Files.list(replays)) {
            for (Path d : dirs.sorted().toList()) {
                if (!Replay.ID.matcher(d.getFileName().toString()).matches() || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    found.add("replays/" + d.getFileName() + " is not a replay directory");
                    continue;
                }
                try (var files = Files.list(d)) {
                    for (Path f : files.sorted().toList()) {
                        String name = f.getFileName().toString();
                        if (!Replay.FILES.contains(name) && !name.equals("replay_runs.jsonl.tmp")) {
                            found.add("replays/" + d.getFileName() + "/" + name + " is not a file a replay writes");
                        } else if (Files.isSymbolicLink(f) || !f.toRealPath().startsWith(root)) {
                            found.add("replays/" + d.getFileName() + "/" + name + " leads outside the run directory");
                        }
                    }
                }
                Path summary = d.resolve("summary.json");
                if (Files.exists(summary, LinkOption.NOFOLLOW_LINKS)) {
                    for (JsonNode f : Json.mapper().readTree(Files.readAllBytes(summary)).path("files")) {
                        Path p = d.resolve(f.asText()).normalize();
                        if (!p.startsWith(d)) {
                            found.add("replays/" + d.getFileName() + " says it wrote " + f.asText() + ", outside its directory");
                        }
                    }
                }
            }
        }
    }

    static void replayRegressionsFlagged(RunView run, RunView.Findings found) throws IOException {
        Path replays = run.file("replays");
        if (!Files.isDirectory(replays, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var dirs = Files.list(replays)) {
            for (Path d : dirs.sorted().toList()) {
                Set<String> flagged = new HashSet<>();
                Path f = d.resolve("flagged.jsonl");
                if (!Files.exists(d.resolve("summary.json"))) {
                    continue;   // a replay still running or stopped: flagged when it finishes
                }
                if (Files.exists(f)) {
                    JsonLines.read(f, 0, (line, o) -> flagged.add(Json.mapper().readTree(line).path("evidence_id").asText()) || true);
                }
                for (Replay.Item i : dev.lakehouse.common.JsonLog.readAll(d.resolve("replay_runs.jsonl"), Replay.Item.class)) {
                    if ("regressed".equals(i.diff()) && i.exportedIn() != null && !i.exportedIn().isEmpty()
                            && !flagged.contains(i.evidenceId())) {
                        found.add("replays/" + d.getFileName() + ": " + i.evidenceId() + " regressed and is in " + i.exportedIn()
                                + ", not flagged");
                    }
                }
            }
        }
    }
}
