package dev.lakehouse.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.common.SubjectIdentifiers;
import io.helidon.http.Method;

/**
 * {@code POST /v1/privacy/erasures}: one person erased from every daemon that holds personal data, as a durable job
 * (docs/privacy.md, "Erasure"). A job is a file, {@code <data>/gateway/erasures/<id>.json}, rewritten atomically at
 * every step, so a coordinator killed mid-way resumes where it was: every daemon's purge is idempotent, a step done is
 * not asked again, a step interrupted is asked again. One thread works the jobs: the worker's roster entry is looked up
 * first (validatord) for their phone, e-mail and name, then each daemon's erasure route is called; a daemon that is down,
 * busy (409) or failing (5xx) leaves its step {@code waiting} and is asked again with backoff while the others go on —
 * the job's state names who is pending. When every step is done the job sums the daemons' scans (the proof), drops the
 * identifiers from its file (only their fingerprint stays), journals its outcome and keeps its report.
 */
final class Erasures implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Erasures.class.getName());
    private static final java.util.regex.Pattern WORKER_SUBJECT = java.util.regex.Pattern.compile("worker:([Ww][0-9]{6})");
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Each daemon that holds personal data: its erasure route and the count that says what it found. */
    record Target(DaemonId daemon, String path, List<String> counts) {
    }

    static final List<Target> TARGETS = List.of(
            new Target(DaemonId.MATRIXD, "/v1/matrix/erasures", List.of("records_masked", "role_queries_forgotten")),
            new Target(DaemonId.PATHWAYD, "/v1/memory/erasures", List.of("versions_purged")),
            new Target(DaemonId.TRUTHD, "/v1/truth/erasures", List.of("claims_removed")),
            new Target(DaemonId.OBSERVERD, "/v1/observe/erasures", List.of("events_masked")),
            new Target(DaemonId.DISTILLD, "/v1/distill/erasures", List.of("records_masked")),
            new Target(DaemonId.EMBEDD, "/v1/embed/erasures", List.of("cache_entries_removed")),
            new Target(DaemonId.VALIDATORD, "/v1/roster/erasures", List.of("workers_removed")),
            new Target(DaemonId.JOURNALD, "/v1/journal/erasures", List.of("entries_erased")),
            new Target(DaemonId.VECTORD, "/v1/indexes/erasures", List.of("points_removed")));

    /** {@code POST /v1/privacy/erasures}: a worker, or identifiers; a reason (no personal data in it, please: it is masked anyway). */
    record Request(String subject, List<String> identifiers, String reason) {
        Request {
            FieldError.check(subject != null || identifiers != null, "subject", "give a subject (worker:W000123) or identifiers");
            FieldError.check(subject == null || WORKER_SUBJECT.matcher(subject).matches(), "subject", "must be worker:W and six digits");
            FieldError.check(reason == null || reason.length() <= 500, "reason", "at most 500 characters");
        }

        /** What the caller named: the worker id first, then the identifiers given. */
        List<String> named() {
            List<String> out = new ArrayList<>();
            if (subject != null) {
                java.util.regex.Matcher m = WORKER_SUBJECT.matcher(subject);
                m.matches();
                out.add(m.group(1).toUpperCase(java.util.Locale.ROOT));
            }
            if (identifiers != null) {
                out.addAll(identifiers);
            }
            return out;
        }
    }

    /**
     * One daemon's part: pending, running (asked now), waiting (with why), done (with what it answered), or failed (a 4xx
     * it would give again).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Step(String state, int attempts, String lastError, JsonNode result, String at) {
        static Step pending() {
            return new Step("pending", 0, null, null, null);
        }
    }

    /** The proof: the daemons' scans summed, and what was found. */
    record Proof(long found, long filesScanned, long bytesScanned, long matches, long scanMs, boolean clean, List<String> filesWithMatches) {
    }

    /** A job as its file holds it; {@code identifiers} is null once it is finished. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Job(String id, String subjectHash, String kind, String reason, String state, String createdAt, String finishedAt,
               boolean expanded, List<String> identifiers, int identifierCount, Map<String, Step> steps, Proof proof, String note) {
        boolean finished() {
            return state.equals("done") || state.equals("failed");
        }

        Job with(String state, Map<String, Step> steps) {
            return new Job(id, subjectHash, kind, reason, state, createdAt, finishedAt, expanded, identifiers, identifierCount, steps, proof, note);
        }

        /** What {@code GET} shows: never the identifiers, and the reason once it is masked with all of them (after the roster lookup). */
        Job view() {
            return new Job(id, subjectHash, kind, expanded ? reason : null, state, createdAt, finishedAt, expanded, null, identifierCount, steps, proof, note);
        }
    }

    private final Path dir;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<DaemonId, PeerClient> peers = new LinkedHashMap<>();
    private final List<Target> targets;
    private final PeerClient validatord;
    private final PeerClient journald;
    private final Object wake = new Object();
    private final int parallel;
    private volatile boolean closed;
    private Thread worker;

    Erasures(Path dataDir, EnvConfig env, List<DaemonId> daemons, Duration purgeTimeout, int parallel) {
        this.dir = dataDir.resolve("erasures");
        this.parallel = parallel;
        PeerClient.Options options = PeerClient.Options.defaults().withReadTimeout(purgeTimeout).withRetries(0, Duration.ZERO);
        this.targets = TARGETS.stream().filter(t -> daemons.contains(t.daemon())).toList();
        targets.forEach(t -> peers.put(t.daemon(), PeerClient.forDaemon(t.daemon(), env, options)));
        this.validatord = PeerClient.forDaemon(DaemonId.VALIDATORD, env, PeerClient.Options.defaults().withRetries(0, Duration.ZERO));
        this.journald = PeerClient.forDaemon(DaemonId.JOURNALD, env, PeerClient.Options.defaults().withRetries(0, Duration.ZERO));
    }

    /** Reads the jobs (unfinished ones resume) and starts the worker. */
    Erasures start() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    if (f.getFileName().toString().endsWith(".tmp")) {
                        Files.deleteIfExists(f);   // a write killed before its rename
                    } else if (f.getFileName().toString().endsWith(".json")) {
                        Job j = Json.parse(Files.readAllBytes(f), Job.class);
                        jobs.put(j.id(), j);
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the erasure jobs in " + dir, e);
        }
        long unfinished = jobs.values().stream().filter(j -> !j.finished()).count();
        if (unfinished > 0) {
            LOG.info("resuming " + unfinished + " erasure job(s)");
        }
        worker = Thread.ofPlatform().name("erasures").daemon(true).start(this::work);
        return this;
    }

    /** A new job, or the unfinished one of the same subject (then {@code existing} is true). */
    record Created(Job job, boolean existing) {
    }

    synchronized Created create(Request req) {
        List<String> named = req.named();
        SubjectIdentifiers subject;
        try {
            subject = SubjectIdentifiers.of(named);
        } catch (SubjectIdentifiers.NotSpecific e) {
            int i = req.subject() == null ? e.index() : e.index() - 1;
            throw new FieldError(e.index() < 0 ? "identifiers" : "identifiers[" + i + "]", "invalid_field", e.getMessage());
        }
        FieldError.check(named.size() <= 64, "identifiers", "at most 64");
        String hash = subject.fingerprint();
        Optional<Job> running = jobs.values().stream().filter(j -> !j.finished() && j.subjectHash().equals(hash)).findFirst();
        if (running.isPresent()) {
            return new Created(running.get().view(), true);
        }
        Map<String, Step> steps = new LinkedHashMap<>();
        targets.forEach(t -> steps.put(t.daemon().daemonName(), Step.pending()));
        String id = "er-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(java.time.ZoneOffset.UTC)
                .format(Instant.now()) + "-" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000, 0xFFFFF));
        String reason = req.reason() == null ? null : subject.mask(req.reason());
        Job job = new Job(id, hash, req.subject() != null ? "worker" : "identifiers", reason, "running", Instant.now().toString(), null,
                req.subject() == null, List.copyOf(named), named.size(), steps, null, null);
        save(job);
        synchronized (wake) {
            wake.notifyAll();
        }
        return new Created(job.view(), false);
    }

    Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::view);
    }

    List<Job> list() {
        return jobs.values().stream().sorted(Comparator.comparing(Job::createdAt).reversed()).limit(100).map(Job::view).toList();
    }

    private void save(Job job) {
        try {
            AtomicFile.write(dir.resolve(job.id() + ".json"), Json.bytes(job));
        } catch (IOException e) {
            throw new ApiException.Unavailable("storage_failed", "the erasure job could not be stored: " + e.getMessage());
        }
        jobs.put(job.id(), job);
    }

    private void work() {
        int idle = 0;
        while (!closed) {
            boolean waiting = false;
            for (Job j : jobs.values().stream().filter(x -> !x.finished()).sorted(Comparator.comparing(Job::createdAt)).toList()) {
                try {
                    waiting |= !advance(j);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "erasure job " + j.id() + ": " + e.getMessage(), e);
                    waiting = true;
                }
            }
            long pause = waiting ? Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(idle++, 7)) : 60_000;
            if (!waiting) {
                idle = 0;
            }
            synchronized (wake) {
                try {
                    wake.wait(pause);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One pass over a job's steps; true when it finished. */
    private boolean advance(Job job) {
        if (!job.expanded()) {
            job = expand(job);
            if (!job.expanded()) {
                return false;
            }
        }
        Map<String, Step> steps = new LinkedHashMap<>(job.steps());
        java.util.concurrent.atomic.AtomicReference<Job> current = new java.util.concurrent.atomic.AtomicReference<>(job);
        // every daemon but vectord, `parallel` at a time (on a small machine all at once would starve the requests the
        // daemons serve meanwhile); then vectord, once matrixd and pathwayd — whose purges delete points in it — are
        // through: its step then compacts and snapshots the indexes with every deleted point gone, and its compaction
        // runs in the background after the job rather than beside the other purges
        for (List<Target> wave : List.of(targets.stream().filter(t -> t.daemon() != DaemonId.VECTORD).toList(),
                targets.stream().filter(t -> t.daemon() == DaemonId.VECTORD).toList())) {
            List<Target> todo = wave.stream().filter(t -> !finished(steps, t.daemon())).toList();
            if (todo.isEmpty() || closed) {
                continue;
            }
            if (todo.stream().anyMatch(t -> t.daemon() == DaemonId.VECTORD)
                    && !(finished(steps, DaemonId.MATRIXD) && finished(steps, DaemonId.PATHWAYD))) {
                continue;   // the next pass, after they are
            }
            synchronized (steps) {
                todo.forEach(t -> {
                    Step s = steps.getOrDefault(t.daemon().daemonName(), Step.pending());
                    steps.put(t.daemon().daemonName(), new Step("running", s.attempts(), s.lastError(), null, Instant.now().toString()));
                });
                current.set(current.get().with(current.get().state(), new LinkedHashMap<>(steps)));
                save(current.get());   // GET shows which daemons are purging now; a restart asks them again
            }
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(parallel);
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (Target t : todo) {
                    Step before = job.steps().getOrDefault(t.daemon().daemonName(), Step.pending());
                    Job asked = current.get();
                    pool.submit(() -> {
                        slots.acquireUninterruptibly();
                        Step result;
                        try {
                            result = call(asked, t, before);
                        } finally {
                            slots.release();
                        }
                        synchronized (steps) {
                            steps.put(t.daemon().daemonName(), result);
                            current.set(current.get().with(pendingState(steps), new LinkedHashMap<>(steps)));
                            save(current.get());
                        }
                    });
                }
            }
        }
        if (steps.values().stream().anyMatch(s -> !s.state().equals("done") && !s.state().equals("failed"))) {
            return false;
        }
        finish(current.get(), steps);
        return true;
    }

    /** A step done or failed (a daemon not in this stack counts as through). */
    private boolean finished(Map<String, Step> steps, DaemonId d) {
        if (targets.stream().noneMatch(t -> t.daemon() == d)) {
            return true;
        }
        String state = steps.getOrDefault(d.daemonName(), Step.pending()).state();
        return state.equals("done") || state.equals("failed");
    }

    private static String pendingState(Map<String, Step> steps) {
        List<String> waiting = steps.entrySet().stream().filter(e -> e.getValue().state().equals("waiting")).map(Map.Entry::getKey).toList();
        return waiting.isEmpty() ? "running" : "waiting";
    }

    /** A worker's phone, e-mail and name from the roster; an unknown worker is erased by their id alone. */
    private Job expand(Job job) {
        List<String> ids = new ArrayList<>(job.identifiers());
        String worker = ids.get(0);
        Map<String, Step> steps = new LinkedHashMap<>(job.steps());
        try {
            PeerClient.Response r = validatord.exchange(Method.GET, "/v1/roster/workers/" + worker, null, true);
            if (r.status() == 200) {
                JsonNode w = Json.mapper().readTree(r.body());
                for (String f : List.of("phone", "email")) {
                    if (w.path(f).isTextual() && !w.path(f).asText().isBlank()) {
                        ids.add(w.path(f).asText());
                    }
                }
                String name = (w.path("first_name").asText("") + " " + w.path("last_name").asText("")).strip();
                if (name.contains(" ")) {
                    ids.add(name);
                }
            } else if (r.status() != 404) {
                throw new IOException("validatord answered " + r.status());
            }
            steps.remove("roster_lookup");
            List<String> usable = ids.stream().filter(i -> {
                try {
                    SubjectIdentifiers.of(List.of(i));
                    return true;
                } catch (SubjectIdentifiers.NotSpecific e) {
                    return false;
                }
            }).distinct().toList();
            String reason = job.reason() == null ? null : SubjectIdentifiers.of(usable).mask(job.reason());
            Job next = new Job(job.id(), job.subjectHash(), job.kind(), reason, "running", job.createdAt(), null, true, usable,
                    usable.size(), steps, null, r.status() == 404 ? "worker " + worker + " is not on the roster: erased by the id alone" : null);
            save(next);
            return next;
        } catch (IOException | RuntimeException e) {
            steps.put("roster_lookup", new Step("waiting", 1, "validatord: " + e.getMessage(), null, Instant.now().toString()));
            Job next = job.with("waiting", steps);
            save(next);
            return next;
        }
    }

    private Step call(Job job, Target t, Step s) {
        String at = Instant.now().toString();
        try {
            byte[] body = Json.bytes(Map.of("erasure_id", job.id(), "identifiers", job.identifiers()));
            PeerClient.Response r = peers.get(t.daemon()).exchange(Method.POST, t.path(), body, false);
            if (r.status() == 200) {
                return new Step("done", s.attempts() + 1, null, Json.mapper().readTree(r.body()), at);
            }
            String why = t.daemon().daemonName() + " answered " + r.status() + " " + problemCode(r.body());
            boolean retry = r.status() == 409 || r.status() == 429 || r.status() >= 500;
            return new Step(retry ? "waiting" : "failed", s.attempts() + 1, why, null, at);
        } catch (IOException | RuntimeException e) {
            return new Step("waiting", s.attempts() + 1, t.daemon().daemonName() + ": " + e.getMessage(), null, at);
        }
    }

    private static String problemCode(byte[] body) {
        try {
            JsonNode p = Json.mapper().readTree(body);
            return p.path("code").asText(p.path("title").asText(""));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private void finish(Job job, Map<String, Step> steps) {
        long found = 0, files = 0, bytes = 0, matches = 0, ms = 0;
        List<String> hits = new ArrayList<>();
        for (Target t : targets) {
            Step s = steps.get(t.daemon().daemonName());
            if (s == null || s.result() == null) {
                continue;
            }
            JsonNode r = s.result();
            for (String c : t.counts()) {
                found += r.path(c).asLong();
            }
            JsonNode scan = r.path("scan");
            files += scan.path("files").asLong();
            bytes += scan.path("bytes").asLong();
            matches += scan.path("matches").asLong();
            ms += scan.path("took_ms").asLong();
            scan.path("files_with_matches").forEach(f -> hits.add(t.daemon().daemonName() + ":" + f.asText()));
        }
        boolean failed = steps.values().stream().anyMatch(s -> s.state().equals("failed"));
        Proof proof = new Proof(found, files, bytes, matches, ms, matches == 0 && !failed, List.copyOf(hits));
        String note = job.note() != null ? job.note() : found == 0 ? "nothing about this subject was found" : null;
        Job done = new Job(job.id(), job.subjectHash(), job.kind(), job.reason(), failed ? "failed" : "done", job.createdAt(),
                Instant.now().toString(), true, null, job.identifierCount(), steps, proof, note);
        save(done);
        ObjectNode data = Json.mapper().createObjectNode().put("erasure_id", job.id()).put("subject_hash", job.subjectHash())
                .put("found", found).put("files_scanned", files).put("matches", matches).put("clean", proof.clean());
        try {
            journald.post("/v1/journal/entries", Map.of("type", "privacy.erasure.done", "actor", "gateway", "data", data), ObjectNode.class, false);
        } catch (RuntimeException e) {
            LOG.warning("erasure " + job.id() + ": its outcome could not be journaled (" + e.getMessage() + "); the report is kept in "
                    + dir.getFileName() + "/" + job.id() + ".json");
        }
        LOG.info("erasure " + job.id() + " " + done.state() + ": found " + found + ", scanned " + files + " files (" + bytes + " bytes), "
                + matches + " matches");
    }

    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

}
