package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;
import dev.lakehouse.common.JsonLog;
import dev.lakehouse.common.RequestContext;
import dev.lakehouse.distillation.CanonicalJson;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

/**
 * Replay (docs/distilld.md, "replay"): re-runs the recorded prompts of a run's evidence against today's providers
 * (chatd) and today's validators (validatord), and says for each record how the new output compares with the old —
 * {@code same}, {@code changed_still_valid}, {@code changed_still_invalid}, {@code regressed}, {@code fixed}, or
 * {@code error} when a peer failed (the item is marked and the replay goes on).
 *
 * <p>Selection is deterministic: the replayable records of the classes asked for, observed in [since, until), and of
 * them a sample drawn with a seeded reservoir, in file order. A replay lives in {@code <run>/replays/<id>/} and writes
 * nothing anywhere else: {@code replay.json} (what was asked), {@code replay_runs.jsonl} (one fsynced line per item,
 * group-committed — the progress: a replay started again after a crash skips what is there), {@code flagged.jsonl}
 * (SFT or preference records whose replay regressed: to review) and {@code summary.json}. Calls go under request ids
 * {@code replay-<id>-<n>}, so what chatd and validatord observe of them is never evidence.
 */
public final class Replay {
    static final Set<Scored.SourceClass> REPLAYABLE = EnumSet.of(Scored.SourceClass.CHAT_ANSWER, Scored.SourceClass.FILL_GENERATION,
            Scored.SourceClass.EMAIL_DRAFTING, Scored.SourceClass.RETRIEVAL_ANSWER, Scored.SourceClass.FILL_VALIDATION,
            Scored.SourceClass.EMAIL_VALIDATION);
    static final int MAX_SAMPLE = 100_000;
    static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("replay-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}");
    static final List<String> FILES = List.of("replay.json", "replay_runs.jsonl", "flagged.jsonl", "summary.json");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What a replay is asked: which records, how fast, against which provider (null: the one recorded). */
    public record Options(List<Scored.SourceClass> classes, Instant since, Instant until, int sample, long seed, int concurrency,
                          double ratePerSecond, String provider, String model) {
        public Options {
            classes = classes == null || classes.isEmpty() ? List.copyOf(REPLAYABLE) : List.copyOf(classes);
        }
    }

    /** chatd's and validatord's answers, as replay needs them; a failure throws an {@link ApiException} naming the peer. */
    public interface Peers {
        Answer chat(ArrayNode messages, String provider, String model);

        Verdict validate(String kind, JsonNode artifact);
    }

    /** A chat answer: its text, and who gave it. */
    public record Answer(String content, String provider, String model) {
    }

    /** A validator's verdict. */
    public record Verdict(boolean valid, JsonNode violations) {
    }

    /** One replayed record, a line of {@code replay_runs.jsonl}. */
    public record Item(int n, String evidenceId, String sourceClass, String ts, String provider, String model, String oldOutput,
                       String newOutput, boolean oldValid, Boolean newValid, JsonNode oldViolations, JsonNode newViolations,
                       double latencyMs, String diff, String error, List<String> exportedIn, boolean flagged) {
    }

    /** Hears progress: items done of all. */
    @FunctionalInterface
    public interface Progress {
        void at(long done, long total);
    }

    record Candidate(int n, Scored scored, List<String> exportedIn) {
    }

    private Replay() {
    }

    /** The directory of replay {@code id} of the run in {@code runDir}; the id is checked before it goes near a path. */
    static Path dir(Path runDir, String id) {
        if (!ID.matcher(id).matches()) {
            throw new ApiException.NotFound("replay_not_found", "'" + (id.length() > 64 ? id.substring(0, 64) + "…" : id)
                    + "' is not a replay id (replay-<yyyyMMddTHHmmssZ>-<4 hex>)");
        }
        return runDir.resolve("replays").resolve(id);
    }

    /**
     * Runs replay {@code id} of the run in {@code runDir}: from the start, or — when its directory holds a
     * {@code replay.json} already — resumed with the options recorded there, skipping the items already written.
     * Answers the summary (also {@code summary.json}).
     */
    public static ReplaySummary run(Path runDir, String id, Options asked, Peers peers, Progress progress) throws IOException {
        Path dir = dir(runDir, id);
        Files.createDirectories(dir);
        Path spec = dir.resolve("replay.json");
        Options o;
        if (Files.exists(spec)) {
            o = Json.parse(Files.readAllBytes(spec), Options.class);
        } else {
            o = asked;
            AtomicFile.write(spec, CanonicalJson.bytes(Json.mapper().valueToTree(o)));
        }
        long t0 = System.nanoTime();
        Privacy privacy = Privacy.ofRun(runDir);
        List<Candidate> chosen = select(runDir, o);
        long selectMs = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Item> done = new HashMap<>();
        Path log = dir.resolve("replay_runs.jsonl");
        AtomicLong count = new AtomicLong();
        try (JsonLog<Item> items = new JsonLog<>(log, Item.class)) {
            items.load(i -> done.put(i.evidenceId(), i));
            count.set(done.size());
            progress.at(count.get(), chosen.size());
            RateLimiter limiter = limiter(o.ratePerSecond());
            try (GroupCommitter<Item, Void> writer = new GroupCommitter<>("replay-" + id, 1024, 256, group -> {
                items.append(group);
                return java.util.Collections.nCopies(group.size(), null);
            }); ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, o.concurrency()), Thread.ofVirtual().factory())) {
                List<Future<java.util.concurrent.CompletableFuture<Void>>> futures = new ArrayList<>();
                java.util.concurrent.Semaphore unwritten = new java.util.concurrent.Semaphore(512);   // items replayed, not yet durable
                for (Candidate c : chosen) {
                    if (done.containsKey(c.scored().evidence().evidenceId())) {
                        continue;
                    }
                    futures.add(pool.submit(() -> {
                        limiter.acquirePermission();
                        Item item = RequestContext.callAs(Materializer.REPLAY_PREFIX + id.substring("replay-".length()) + "-" + c.n(),
                                () -> replay(c, o, peers, privacy));
                        unwritten.acquire();
                        // durable in the background (one fsync for what the workers hand over meanwhile): the worker goes on
                        return writer.submitAsync(item).whenComplete((x, failed) -> {
                            unwritten.release();
                            if (failed == null) {
                                progress.at(count.incrementAndGet(), chosen.size());
                            }
                        });
                    }));
                }
                for (Future<java.util.concurrent.CompletableFuture<Void>> f : futures) {
                    f.get().get();   // replayed, then written
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("replay " + id + " stopped: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("replay " + id + " interrupted; start it again to resume", e);
            }
        }
        ReplaySummary s = summarize(dir, id, runDir.getFileName().toString(), o, chosen.size());
        long replayMs = (System.nanoTime() - t0) / 1_000_000 - selectMs;
        // this session's, beside the summary file's counts
        return s.timed(selectMs, replayMs, replayMs == 0 ? 0 : Math.round((chosen.size() - done.size()) * 10_000.0 / replayMs) / 10.0);
    }

    private static RateLimiter limiter(double perSecond) {
        if (perSecond <= 0) {
            return RateLimiter.of("replay", RateLimiterConfig.custom().limitForPeriod(Integer.MAX_VALUE)
                    .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ofDays(1)).build());
        }
        int perPeriod = (int) Math.max(1, Math.ceil(perSecond / 10));   // refill about ten times a second
        long periodNanos = Math.max(1_000_000L, Math.round(perPeriod * 1e9 / perSecond));
        return RateLimiter.of("replay", RateLimiterConfig.custom().limitForPeriod(perPeriod).limitRefreshPeriod(Duration.ofNanos(periodNanos))
                .timeoutDuration(Duration.ofDays(1)).build());
    }

    /**
     * The records to replay: evidence and its verdict read side by side, the replayable ones of the classes asked for in
     * the time range, and of those a seeded reservoir sample (all when {@code sample} is 0), in file order; each with the
     * exports it is in (SFT, preference).
     */
    static List<Candidate> select(Path runDir, Options o) throws IOException {
        Path evidenceFile = runDir.resolve("evidence.jsonl");
        Path scoredFile = runDir.resolve("scored.jsonl");
        if (!Files.exists(scoredFile)) {
            throw new ApiException.Conflict("run_not_scored", "run " + runDir.getFileName() + " has no scored.jsonl: replay needs a run "
                    + "with the score stage");
        }
        Set<Scored.SourceClass> classes = EnumSet.copyOf(o.classes());
        Random random = new Random(o.seed());
        List<Picked> reservoir = new ArrayList<>();
        long[] seen = {0};
        try (var scored = Files.newBufferedReader(scoredFile)) {
            JsonLines.read(evidenceFile, 0, (line, offset) -> {
                Evidence e = Json.mapper().readValue(line, Evidence.class);
                String row = scored.readLine();
                JsonNode verdict = row == null ? null : Json.mapper().readTree(row);
                if (verdict == null || !verdict.path("evidence_id").asText().equals(e.evidenceId())) {
                    throw new ApiException.Conflict("run_inconsistent", "run " + runDir.getFileName() + ": evidence " + e.evidenceId()
                            + " (at byte " + offset + " of evidence.jsonl) has no verdict beside it in scored.jsonl; audit the run "
                            + "(bin/lakehouse distill audit-full --phases 5,6)");
                }
                Scored s = new Scored(e, Json.mapper().convertValue(verdict.path("category"), Scored.Category.class),
                        Json.mapper().convertValue(verdict.path("class"), Scored.SourceClass.class), List.of(),
                        verdict.path("never_sft").asBoolean());
                if (!classes.contains(s.sourceClass()) || !REPLAYABLE.contains(s.sourceClass()) || !hasPrompt(s)
                        || s.category() == Scored.Category.PII) {   // an SSN is never sent to a provider again
                    return true;
                }
                Instant ts = Instant.parse(e.ts());
                if (o.since() != null && ts.isBefore(o.since()) || o.until() != null && !ts.isBefore(o.until())) {
                    return true;
                }
                long k = seen[0]++;
                if (o.sample() <= 0 || reservoir.size() < o.sample()) {
                    reservoir.add(new Picked(k, s));
                } else {
                    long j = (long) (random.nextDouble() * (k + 1));   // Algorithm R: keep with probability sample/(k+1)
                    if (j < o.sample()) {
                        reservoir.set((int) j, new Picked(k, s));
                    }
                }
                return true;
            });
        }
        reservoir.sort(Comparator.comparingLong(Picked::k));   // file order
        List<Scored> picked = reservoir.stream().map(Picked::scored).toList();
        Set<String> inSft = sftIds(runDir, picked);
        boolean preference = Files.exists(runDir.resolve("preference/trl.jsonl"));
        List<Candidate> out = new ArrayList<>(picked.size());
        for (Scored s : picked) {
            List<String> in = new ArrayList<>();
            if (inSft.contains(s.evidence().evidenceId())) {
                in.add("sft");
            }
            if (preference && Exporter.Pair.of(s) != null) {
                in.add("preference");
            }
            out.add(new Candidate(out.size() + 1, s, List.copyOf(in)));
        }
        return out;
    }

    private record Picked(long k, Scored scored) {
    }

    /** Whether there is something to send again: a conversation to chatd, or an artifact to validatord. */
    private static boolean hasPrompt(Scored s) {
        Old old = old(s.sourceClass(), s.evidence().content());
        return old.messages() == null ? s.evidence().content().path("artifact").isObject() && s.evidence().content().path("kind").isTextual()
                : !old.messages().isEmpty() && old.messages().get(old.messages().size() - 1).path("role").asText().equals("user");
    }

    /** Which of the picked records have an SFT sample (sft/trl.jsonl's metadata.evidence_id). */
    private static Set<String> sftIds(Path runDir, List<Scored> picked) throws IOException {
        Set<String> wanted = new HashSet<>();
        picked.forEach(s -> wanted.add(s.evidence().evidenceId()));
        Set<String> out = new HashSet<>();
        Path trl = runDir.resolve("sft/trl.jsonl");
        if (Files.exists(trl)) {
            JsonLines.read(trl, 0, (line, offset) -> {
                String id = Json.mapper().readTree(line).path("metadata").path("evidence_id").asText();
                if (wanted.contains(id)) {
                    out.add(id);
                }
                return true;
            });
        }
        return out;
    }

    /**
     * One record, replayed: the new output, its validity, and how it compares. A peer's failure is the item's error. The
     * conversation goes to chatd masked (docs/privacy.md: placeholders for phones and e-mails, one session per record),
     * and the item stores the old and the new output masked through the same session; the comparison reads them raw.
     */
    static Item replay(Candidate c, Options o, Peers peers, Privacy privacy) {
        dev.lakehouse.privacy.Masker.Session session = privacy.masker().session();
        Evidence e = c.scored().evidence();
        JsonNode content = e.content();
        Scored.SourceClass cls = c.scored().sourceClass();
        Old old = old(cls, content);
        String provider = o.provider() != null ? o.provider() : old.provider();
        String model = o.provider() != null || o.model() != null ? o.model() : old.model();
        long t0 = System.nanoTime();
        String newOutput = null;
        Boolean newValid = null;
        JsonNode newViolations = null;
        String error = null;
        try {
            switch (cls) {
                case FILL_VALIDATION, EMAIL_VALIDATION -> {
                    Verdict v = peers.validate(content.path("kind").asText(), content.path("artifact"));
                    newValid = v.valid();
                    newViolations = v.violations();
                    newOutput = verdict(v.valid(), v.violations());
                    provider = "validatord";
                    model = null;
                }
                default -> {
                    Answer a = peers.chat(Firewall.mask(old.messages().deepCopy(), session), provider, model);
                    newOutput = a.content();
                    provider = a.provider();
                    model = a.model();
                    if (cls == Scored.SourceClass.FILL_GENERATION || cls == Scored.SourceClass.EMAIL_DRAFTING) {
                        Verdict v = generated(cls, content, newOutput, peers);
                        newValid = v.valid();
                        newViolations = v.violations();
                    } else {
                        newValid = newOutput != null && !newOutput.isBlank();
                    }
                }
            }
        } catch (ApiException failed) {
            error = failed.code() + ": " + failed.detail();
        }
        double ms = Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
        String diff = error != null ? "error" : diff(cls, old, newOutput, newValid, newViolations);
        boolean flagged = "regressed".equals(diff) && !c.exportedIn().isEmpty();
        return new Item(c.n(), e.evidenceId(), cls.toString(), e.ts(), provider, model, session.mask(old.output()), session.mask(newOutput),
                old.valid(), newValid, old.violations(), newViolations, ms, diff, error == null ? null : session.mask(error), c.exportedIn(),
                flagged);
    }

    /** What a record held: the prompt to send again, the output, its validity and violations, who answered. */
    record Old(ArrayNode messages, String output, boolean valid, JsonNode violations, String provider, String model) {
    }

    private static Old old(Scored.SourceClass cls, JsonNode c) {
        return switch (cls) {
            case CHAT_ANSWER -> new Old(messages(c.path("messages"), Integer.MAX_VALUE), c.path("output").asText(null), Scorer.answered(c),
                    NODES.arrayNode(), text(c.path("provider")), text(c.path("model")));
            case RETRIEVAL_ANSWER -> {
                JsonNode a = c.path("answer");
                yield new Old(messages(a.path("messages"), Integer.MAX_VALUE), a.path("output").asText(null), Scorer.answered(a),
                        NODES.arrayNode(), text(a.path("provider")), text(a.path("model")));
            }
            case FILL_GENERATION, EMAIL_DRAFTING -> {
                JsonNode attempts = c.path("attempts");
                JsonNode last = attempts.path(attempts.size() - 1);
                yield new Old(messages(attempts.path(0).path("prompt"), 2), last.path("output").asText(null), c.path("valid").asBoolean(),
                        last.path("violations"), text(c.path("provider")), text(c.path("model")));
            }
            case FILL_VALIDATION, EMAIL_VALIDATION -> new Old(null, verdict(c.path("valid").asBoolean(), c.path("violations")),
                    c.path("valid").asBoolean(), c.path("violations"), "validatord", null);
            default -> throw new IllegalArgumentException(cls + " is not replayable");
        };
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    private static ArrayNode messages(JsonNode recorded, int first) {
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < recorded.size() && i < first; i++) {
            out.addObject().put("role", recorded.get(i).path("role").asText()).put("content", recorded.get(i).path("content").asText());
        }
        return out;
    }

    private static String verdict(boolean valid, JsonNode violations) {
        ObjectNode v = NODES.objectNode().put("valid", valid);
        v.set("violations", violations == null || !violations.isArray() ? NODES.arrayNode() : violations);
        return Templates.json(v);
    }

    /**
     * A new fill or e-mail, validated as validatord's iterate loop does: the first JSON object of the output (from the
     * first '{' to the last '}') made into the artifact with the run's order or recipient; output that is no such
     * object is the violation {@code unparseable_output}, without a call.
     */
    private static Verdict generated(Scored.SourceClass cls, JsonNode content, String output, Peers peers) {
        JsonNode json = null;
        int start = output == null ? -1 : output.indexOf('{');
        int end = output == null ? -1 : output.lastIndexOf('}');
        if (start >= 0 && end > start) {
            try {
                json = Json.mapper().readTree(output.substring(start, end + 1));
            } catch (IOException ignored) {
                // not JSON: unparseable below
            }
        }
        ObjectNode artifact = NODES.objectNode();
        boolean fill = cls == Scored.SourceClass.FILL_GENERATION;
        if (json != null && fill && json.path("worker_ids").isArray()) {
            artifact.set("order", content.path("context").path("order"));
            artifact.set("worker_ids", json.path("worker_ids"));
        } else if (json != null && !fill && json.path("subject").isTextual() && json.path("body").isTextual()) {
            artifact.set("to_worker_id", content.path("context").path("to_worker_id"));
            artifact.set("subject", json.path("subject"));
            artifact.set("body", json.path("body"));
        } else {
            ArrayNode v = NODES.arrayNode();
            v.addObject().put("rule", "unparseable_output").put("severity", "error").put("path", "output")
                    .put("message", fill ? "the answer has no JSON object with worker_ids" : "the answer has no JSON object with subject and body");
            return new Verdict(false, v);
        }
        return peers.validate(fill ? "fill" : "email", artifact);
    }

    /** How the new output compares with the old. */
    static String diff(Scored.SourceClass cls, Old old, String newOutput, boolean newValid, JsonNode newViolations) {
        boolean same = switch (cls) {
            case FILL_VALIDATION, EMAIL_VALIDATION -> old.valid() == newValid && rules(old.violations()).equals(rules(newViolations));
            default -> old.valid() == newValid && normalized(old.output()).equals(normalized(newOutput));
        };
        if (same) {
            return "same";
        }
        if (old.valid()) {
            return newValid ? "changed_still_valid" : "regressed";
        }
        return newValid ? "fixed" : "changed_still_invalid";
    }

    private static Set<String> rules(JsonNode violations) {
        Set<String> out = new java.util.TreeSet<>();
        if (violations != null) {
            violations.forEach(v -> out.add(v.path("rule").asText() + "@" + v.path("path").asText() + ":" + v.path("severity").asText()));
        }
        return out;
    }

    /** An output compared as canonical JSON when it is JSON, else as text without surrounding blanks. */
    private static String normalized(String output) {
        if (output == null) {
            return "";
        }
        String s = output.strip();
        if (s.startsWith("{") || s.startsWith("[")) {
            try {
                return Templates.json(Json.mapper().readTree(s));
            } catch (IOException notJson) {
                return s;
            }
        }
        return s;
    }

    /** The summary of every item written: counts per diff, regressions per class and provider, errors, flagged records. */
    static ReplaySummary summarize(Path dir, String id, String run, Options o, int selected) throws IOException {
        List<Item> items = JsonLog.readAll(dir.resolve("replay_runs.jsonl"), Item.class);
        items.sort(Comparator.comparingInt(Item::n));
        Map<String, Long> byDiff = new TreeMap<>();
        Map<String, Long> regressionsByClass = new TreeMap<>();
        Map<String, Long> regressionsByProvider = new TreeMap<>();
        List<String> flagged = new ArrayList<>();
        double latency = 0;
        List<ObjectNode> flaggedRows = new ArrayList<>();
        for (Item i : items) {
            byDiff.merge(i.diff(), 1L, Long::sum);
            latency += i.latencyMs();
            if ("regressed".equals(i.diff())) {
                regressionsByClass.merge(i.sourceClass(), 1L, Long::sum);
                regressionsByProvider.merge(String.valueOf(i.provider()), 1L, Long::sum);
            }
            if (i.flagged()) {
                flagged.add(i.evidenceId());
                ObjectNode row = NODES.objectNode().put("evidence_id", i.evidenceId()).put("class", i.sourceClass()).put("reason", "regressed");
                i.exportedIn().forEach(row.putArray("exported_in")::add);
                flaggedRows.add(row);
            }
        }
        ReplaySummary s = new ReplaySummary(id, run, selected, items.size(), o, byDiff, regressionsByClass, regressionsByProvider,
                byDiff.getOrDefault("error", 0L), items.isEmpty() ? 0 : Math.round(latency / items.size() * 100) / 100.0, flagged, FILES,
                null, null, null);
        StringBuilder lines = new StringBuilder();
        for (ObjectNode row : flaggedRows) {
            lines.append(Templates.json(row)).append('\n');
        }
        AtomicFile.write(dir.resolve("flagged.jsonl"), lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        AtomicFile.write(dir.resolve("summary.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(CanonicalJson.sorted(Json.mapper().valueToTree(s))));
        return s;
    }
}
