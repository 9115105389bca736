package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.Json;

/**
 * distilld's runs: one at a time, each on its own thread, into {@code <data>/runs/<id>/}, with
 * {@code <data>/runs/latest} naming the last one that finished. A run's progress is kept in
 * memory while it runs; its summary is its directory's {@code summary.json}, so finished runs are
 * listed after a restart too.
 */
public final class Runs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Runs.class.getName());
    private static final java.util.regex.Pattern RUN_ID = java.util.regex.Pattern.compile("run-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}");
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** A run as answered: {@code state} queued|running|done|failed, progress per stage, and the summary when done. */
    public record Run(String id, String state, List<String> stages, String since, boolean full, String startedAt, String finishedAt,
                      Map<String, Map<String, Long>> progress, RunSummary summary, String error) {
    }

    private final Path runsDir;
    private final Path watermark;
    private final Path observations;
    private final int threads;
    private final Set<String> flagged;
    private final Path roster;
    private final Map<String, Run> live = new ConcurrentHashMap<>();
    private volatile String running;
    private volatile Thread worker;

    public Runs(Path dataDir, Path observations, int threads, Set<String> flaggedProviders, Path roster) {
        this.roster = roster;
        this.runsDir = dataDir.resolve("runs");
        this.watermark = dataDir.resolve("watermark.json");
        this.observations = observations;
        this.threads = threads;
        this.flagged = Set.copyOf(flaggedProviders);
    }

    /** The run a request names ({@code run-…} or {@code cli-…}, in {@code runsDir}), or {@code runsDir/latest}; 404 when none. */
    public static String named(Path runsDir, String named) throws IOException {
        if (named != null) {
            if (!named.matches("(run|cli)-[0-9A-Za-z-]{1,64}") || !Files.isDirectory(runsDir.resolve(named))) {
                throw new ApiException.NotFound("run_not_found", "no distill run '" + (named.length() > 64 ? named.substring(0, 64) + "…"
                        : named) + "'");
            }
            return named;
        }
        Path latest = runsDir.resolve("latest");
        if (!Files.exists(latest)) {
            throw new ApiException.NotFound("run_not_found", "no distill run has finished yet");
        }
        return Files.readString(latest).strip();
    }

    /** Runs {@code action} with no run running or starting (an erasure); 409 {@code run_in_progress} if one runs. */
    synchronized <T> T whileIdle(Jobs.Exclusive<T> action) throws IOException {
        if (running != null) {
            throw new ApiException.Conflict("run_in_progress", "run " + running + " is still running; try again when it is done");
        }
        return action.run();
    }

    /** Starts a run; 409 {@code run_in_progress} naming the running one. */
    public synchronized Run start(DistilldWire.RunRequest req) {
        if (running != null) {
            throw new ApiException.Conflict("run_in_progress", "run " + running + " is still running (GET /v1/distill/runs/" + running
                    + "); one run at a time");
        }
        String id = "run-" + ID.format(Instant.now()) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        Set<Pipeline.Stage> stages = req.stageSet();
        List<String> names = stages.stream().sorted().map(Pipeline.Stage::toString).toList();
        Map<String, Map<String, Long>> progress = new ConcurrentHashMap<>();
        Run run = new Run(id, "running", names, req.since(), Boolean.TRUE.equals(req.full()), Instant.now().toString(), null, progress,
                null, null);
        live.put(id, run);
        running = id;
        worker = Thread.ofPlatform().name("distilld-" + id).daemon(true).start(() -> execute(run, stages, req));
        return run;
    }

    private void execute(Run run, Set<Pipeline.Stage> stages, DistilldWire.RunRequest req) {
        Run done;
        try {
            RunSummary summary = Pipeline.run(new Pipeline.Options(observations, runsDir.resolve(run.id()), watermark, stages,
                    dev.lakehouse.common.FieldError.time(req.since(), "since"), run.full(), threads, flagged, roster),
                    (stage, n, total) -> run.progress().put(stage, Map.of("done", n, "total", total)));
            AtomicFile.write(runsDir.resolve("latest"), run.id().getBytes(StandardCharsets.UTF_8));
            done = new Run(run.id(), "done", run.stages(), run.since(), run.full(), run.startedAt(), Instant.now().toString(),
                    run.progress(), summary, null);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "distill run " + run.id() + " failed", e);
            done = new Run(run.id(), "failed", run.stages(), run.since(), run.full(), run.startedAt(), Instant.now().toString(),
                    run.progress(), null, e.toString());
        }
        live.put(run.id(), done);
        running = null;
    }

    public Optional<Run> get(String id) {
        Run r = live.get(id);
        if (r != null) {
            return Optional.of(r);
        }
        if (!RUN_ID.matcher(id).matches()) {   // before the id goes near a path
            return Optional.empty();
        }
        Path summary = runsDir.resolve(id).resolve("summary.json");
        if (!Files.exists(summary)) {
            return Optional.empty();
        }
        try {
            RunSummary s = Pipeline.readSummary(summary);
            List<String> stages = s.stagesRun() == null ? List.of() : List.copyOf(s.stagesRun());
            return Optional.of(new Run(id, "done", stages, null, false, null, null, Map.of(), s, null));
        } catch (IOException e) {
            return Optional.of(new Run(id, "failed", List.of(), null, false, null, null, Map.of(), null, "unreadable summary: "
                    + e.getMessage()));
        }
    }

    /** The runs of this data directory, newest first (at most 100). */
    public List<Run> list() throws IOException {
        Map<String, Run> all = new LinkedHashMap<>();
        if (Files.isDirectory(runsDir)) {
            try (var dirs = Files.list(runsDir)) {
                dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("run-")).forEach(n -> get(n).ifPresent(r -> all.put(n, r)));
            }
        }
        all.putAll(live);
        return all.values().stream().sorted(Comparator.comparing(Run::id).reversed()).limit(100).toList();
    }

    @Override
    public void close() {
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }
}
