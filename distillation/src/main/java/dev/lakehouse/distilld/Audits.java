package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;

/**
 * Replays and audits of finished runs, for distilld's API (docs/distilld.md): one replay and one audit at a time, each
 * in the run's directory ({@code replays/<id>/}, {@code audits/<id>/}), found there by id after a restart. A replay that
 * stopped (the daemon was killed) is resumed by id.
 */
final class Audits implements AutoCloseable {
    private final Path runs;
    private final Replay.Peers peers;
    private final Jobs replays = new Jobs("replay");
    private final Jobs audits = new Jobs("audit");

    public Audits(Path distilldData, Replay.Peers peers) {
        this.runs = distilldData.resolve("runs");
        this.peers = peers;
    }

    /** Runs {@code action} with no replay and no audit running or starting (an erasure). */
    <T> T whileIdle(Jobs.Exclusive<T> action) throws IOException {
        return replays.whileIdle(() -> audits.whileIdle(action));
    }

    public Jobs.Job replay(DistilldWire.ReplayRequest req) throws IOException {
        String run = Runs.named(runs, req.run());
        Replay.Options o = req.options();
        String id = replays.newId();
        return replays.start(id, run, progress -> Replay.run(runs.resolve(run), id, o, peers, (done, total) -> {
            progress.put("done", done);
            progress.put("total", total);
        }));
    }

    /** Starts a stopped replay again with its recorded options; 404 when there is none, 409 when it finished. */
    public Jobs.Job resume(String id) throws IOException {
        Path dir = find(id, "replays", "replay.json").orElseThrow(() -> new ApiException.NotFound("replay_not_found", "no replay '"
                + abbreviate(id) + "'"));
        if (Files.exists(dir.resolve("summary.json"))) {
            throw new ApiException.Conflict("replay_finished", "replay " + id + " finished; start a new one");
        }
        Path runDir = dir.getParent().getParent();
        return replays.start(id, runDir.getFileName().toString(), progress -> Replay.run(runDir, id, null, peers, (done, total) -> {
            progress.put("done", done);
            progress.put("total", total);
        }));
    }

    /** A replay: live while it runs; from its directory after (done with its summary, or {@code stopped}: resume it). */
    public Optional<Jobs.Job> replayStatus(String id) throws IOException {
        Optional<Jobs.Job> live = replays.live(id);
        if (live.isPresent()) {
            return live;
        }
        Optional<Path> dir = find(id, "replays", "replay.json");
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        String run = dir.get().getParent().getParent().getFileName().toString();
        Path summary = dir.get().resolve("summary.json");
        return Optional.of(Files.exists(summary)
                ? new Jobs.Job(id, "replay", run, "done", Map.of(), null, null, Json.mapper().readValue(Files.readAllBytes(summary), ReplaySummary.class), null)
                : new Jobs.Job(id, "replay", run, "stopped", Map.of(), null, null, null,
                "stopped before it finished (distilld restarted?); POST /v1/distill/replays/" + id + "/resume"));
    }

    public Jobs.Job audit(DistilldWire.AuditRequest req) throws IOException {
        String run = Runs.named(runs, req.run());
        Audit.Options o = req.options();
        String id = audits.newId();
        return audits.start(id, run, progress -> Audit.run(runs.resolve(run), id, o, peers, (phase, done, total) -> {
            progress.put("phase", phase);
            progress.put("done", done);
            progress.put("total", total);
        }));
    }

    public Optional<Jobs.Job> auditStatus(String id) throws IOException {
        Optional<Jobs.Job> live = audits.live(id);
        if (live.isPresent() && !live.get().state().equals("done")) {
            return live;
        }
        Optional<Path> dir = find(id, "audits", "report.json");
        if (dir.isEmpty()) {
            return live;
        }
        AuditReport report = Json.mapper().readValue(Files.readAllBytes(dir.get().resolve("report.json")), AuditReport.class);
        return Optional.of(new Jobs.Job(id, "audit", report.run(), "done", Map.of(), report.startedAt(), report.finishedAt(), report, null));
    }

    /** An audit's human report. */
    public Optional<String> auditMarkdown(String id) throws IOException {
        Optional<Path> dir = find(id, "audits", "report.md");
        return dir.isEmpty() ? Optional.empty() : Optional.of(Files.readString(dir.get().resolve("report.md")));
    }

    /** The directory {@code runs/<run>/<kind>/<id>} holding {@code file}, checking the id before it goes near a path. */
    private Optional<Path> find(String id, String kind, String file) throws IOException {
        java.util.regex.Pattern p = kind.equals("replays") ? Replay.ID : Audit.ID;
        if (!p.matcher(id).matches() || !Files.isDirectory(runs)) {
            return Optional.empty();
        }
        try (var dirs = Files.list(runs)) {
            return dirs.map(r -> r.resolve(kind).resolve(id)).filter(d -> Files.exists(d.resolve(file))).findFirst();
        }
    }

    static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    @Override
    public void close() {
        replays.close();
        audits.close();
    }
}
