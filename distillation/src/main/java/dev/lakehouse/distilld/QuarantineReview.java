package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLog;

/**
 * Reviewing what a run quarantined (docs/distilld.md, "quarantine review"): list it by reason, show a
 * line, release it — as it was or fixed — so the next run materializes it, or drop it for good.
 * Every decision is journaled first (journald: {@code distill.quarantine.release|drop}), then appended
 * to {@code <distilld data>/quarantine-review.jsonl} (fsynced); a decision the journal refused is not
 * made. A line is decided once.
 */
public final class QuarantineReview {
    /** Where decisions are journaled (journald's {@code POST /v1/journal/entries}). */
    @FunctionalInterface
    public interface Journal {
        void record(String type, String subject, JsonNode data) throws IOException;
    }

    /** One decision: {@code release} (with the line the next run reads) or {@code drop}. */
    public record Decision(String quarantineId, String action, String run, String line, String at) {
    }

    /** A quarantined line of a run, and what review decided about it ({@code pending} when nothing yet). */
    public record Item(String run, String status, Quarantined quarantined) {
    }

    static final String FILE = "quarantine-review.jsonl";
    private final Path runs;
    private final Path reviewFile;

    public QuarantineReview(Path distilldData) {
        this.runs = distilldData.resolve("runs");
        this.reviewFile = distilldData.resolve(FILE);
    }

    /** The run a review is about: the one named, or {@code runs/latest}. */
    public String run(String named) throws IOException {
        return Runs.named(runs, named);
    }

    /** The run's quarantined lines (of one reason, or all), each with its review status. */
    public List<Item> list(String named, String reason) throws IOException {
        String run = run(named);
        Map<String, String> decided = decisions();
        List<Item> out = new ArrayList<>();
        Path file = runs.resolve(run).resolve("quarantine.jsonl");
        if (Files.exists(file)) {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Quarantined q = Json.mapper().readValue(l, Quarantined.class);
                if (reason == null || q.reason().toString().equals(reason)) {
                    out.add(new Item(run, decided.getOrDefault(q.quarantineId(), "pending"), q));
                }
            }
        }
        return out;
    }

    public Item show(String named, String id) throws IOException {
        String run = run(named);
        return list(run, null).stream().filter(i -> i.quarantined().quarantineId().equals(id)).findFirst()
                .orElseThrow(() -> new ApiException.NotFound("quarantine_not_found", "no quarantined line '" + id + "' in run " + run));
    }

    /** Releases a line — as it was, or {@code fixed} — for the next run to materialize. */
    public Decision release(String named, String id, String fixed, String actor, Journal journal) throws IOException {
        Item item = pending(named, id);
        String line = fixed != null ? fixed : item.quarantined().raw();
        if (line.indexOf('\n') >= 0 || line.isBlank()) {
            throw new ApiException.BadRequest("invalid_field", "the released line must be one non-empty line of JSON");
        }
        return decide(item, "release", line, actor, journal);
    }

    /** Drops a line for good: no run reads it again. */
    public Decision drop(String named, String id, String actor, Journal journal) throws IOException {
        return decide(pending(named, id), "drop", null, actor, journal);
    }

    private Item pending(String named, String id) throws IOException {
        Item item = show(named, id);
        if (!item.status().equals("pending")) {
            throw new ApiException.Conflict("already_decided", "quarantined line " + id + " was " + item.status() + " already");
        }
        return item;
    }

    private Decision decide(Item item, String action, String line, String actor, Journal journal) throws IOException {
        Quarantined q = item.quarantined();
        ObjectNode data = Json.mapper().createObjectNode().put("run", item.run()).put("reason", q.reason().toString())
                .put("file", q.file()).put("offset", q.offset()).put("actor", actor).put("fixed", line != null && !line.equals(q.raw()));
        journal.record("distill.quarantine." + action, q.quarantineId(), data);   // a refused journal entry stops the decision
        Decision d = new Decision(q.quarantineId(), action, item.run(), line, Instant.now().toString());
        try (JsonLog<Decision> log = new JsonLog<>(reviewFile, Decision.class)) {
            log.load(x -> { });
            log.append(List.of(d));
        }
        return d;
    }

    /** Every decision so far, by quarantine id: released or dropped. */
    Map<String, String> decisions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Decision d : all()) {
            out.put(d.quarantineId(), d.action().equals("release") ? "released" : "dropped");
        }
        return out;
    }

    /** The released lines of the {@code from}-th to the {@code to}-th decision, in order: what the next run reads. */
    List<byte[]> releasedFrom(long from, long to) throws IOException {
        List<Decision> all = all();
        List<byte[]> out = new ArrayList<>();
        for (int i = (int) Math.min(from, all.size()); i < Math.min(to, all.size()); i++) {
            if (all.get(i).action().equals("release")) {
                out.add(all.get(i).line().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** How many decisions there are: the released watermark to move to once they are read. */
    long count() throws IOException {
        return all().size();
    }

    private List<Decision> all() throws IOException {
        return JsonLog.readAll(reviewFile, Decision.class);
    }
}
