package dev.lakehouse.pathwayd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLog;
import dev.lakehouse.common.Readiness;
import dev.lakehouse.pathwayd.store.VersionLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every memory and all its versions: in memory for reads, durable in the log ({@link VersionLog}).
 *
 * <p>Writes go through a {@link GroupCommitter}: its one writer thread checks each write against
 * the memories as they are at that moment (and as the earlier writes of its group leave them),
 * gives it the next sequence number and a {@code recorded_at} later than any before, appends the
 * group and fsyncs once, and only then publishes the new versions and acknowledges. A write the
 * rules refuse fails alone; a group the disk refuses fails whole and leaves nothing behind. So the
 * rules (no update of a deleted memory, supersede only what exists, {@code expected_version}) hold
 * under any concurrency without a lock. Readers see immutable {@link Memory} values.
 *
 * <p>A {@linkplain #listen listener} hears every entry, replayed at load and committed after, on
 * the writer thread (it must only queue): that is how the search index follows.
 */
public final class Memories implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Memories.class.getName());
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    /** A write as submitted; {@link #apply} makes its versions from the memories as they are. */
    private sealed interface Op permits Add, Update, Reopen, Delete, Purge {
    }

    private record Add(PathwaydWire.AddRequest req) implements Op {
    }

    /** @param clearValidTo the request said {@code "valid_to": null}: the memory holds again from now on */
    private record Update(String id, PathwaydWire.UpdateRequest req, boolean clearValidTo) implements Op {
    }

    private record Reopen(String id, String reason, Integer expectedVersion) implements Op {
    }

    private record Delete(String id) implements Op {
    }

    /** @param skipMissing an erasure's purge: a memory gone meanwhile is passed over, not a 404 */
    private record Purge(List<String> ids, String reason, boolean skipMissing) implements Op {
    }

    /** A write's result: its entry, or why the rules refused it. */
    private record Outcome(List<VersionLog.Entry> entries, ApiException refused) {
    }

    private final JsonLog<VersionLog.Entry> log;
    private volatile Consumer<VersionLog.Entry> listener = e -> { };
    private volatile Consumer<VersionLog.Entry> committed = e -> { };
    private final java.util.concurrent.ConcurrentSkipListMap<String, Memory> memories = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** Memories purged while loading whose versions the log still holds (a purge killed before its rewrite): id → its seq. */
    private final Map<String, Long> unfinishedPurges = new HashMap<>();
    private final GroupCommitter<Op, Outcome> committer;
    private final Counter versionsWritten;
    private volatile boolean loaded;
    private final dev.lakehouse.common.LogPosition position = new dev.lakehouse.common.LogPosition();   // the writer thread's
    private volatile long seq;           // the position's, for readers on other threads

    public Memories(Path dir, MeterRegistry registry) {
        this.log = VersionLog.open(dir);
        this.committer = new GroupCommitter<>("pathwayd", 1024, 256, this::write);
        this.versionsWritten = Counter.builder("pathwayd.versions.written").description("versions written since start")
                .register(registry);
        Gauge.builder("pathwayd.memories", memories, Map::size).description("memories, deleted ones included").register(registry);
        Gauge.builder("pathwayd.log.bytes", log, JsonLog::bytes).description("size of the version log").register(registry);
    }

    /** Adds a listener of every entry (replayed at load and committed after); before {@link #load}. */
    void listen(Consumer<VersionLog.Entry> more) {
        this.listener = this.listener.andThen(more);
    }

    /** Sets the one hearer of new writes only (not of the replay at load), on the writer thread (it must only queue). */
    public void onCommitted(Consumer<VersionLog.Entry> hearer) {
        this.committed = hearer;
    }

    /** Replays the log (cutting a torn last line); until then /ready is 503 and every call is 503 loading. */
    public void load() {
        long start = System.nanoTime();
        try {
            log.load(e -> {
                if (e.purged() != null) {
                    if (memories.remove(e.purged().id()) != null) {
                        unfinishedPurges.put(e.purged().id(), e.seq());
                    }
                } else {
                    publish(e.versions(), memories::get, memories);
                }
                position.replayed(e.seq(), e.at());
                seq = e.seq();
                listener.accept(e);
            });
            if (!unfinishedPurges.isEmpty()) {
                LOG.warning("finishing " + unfinishedPurges.size() + " purge(s) a stop interrupted: rewriting " + log.file().getFileName());
                dropPurged(unfinishedPurges);
                unfinishedPurges.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load pathwayd's log " + log.file(), e);
        }
        loaded = true;
        LOG.info("loaded " + memories.size() + " memories (log seq " + seq + ") in " + (System.nanoTime() - start) / 1_000_000
                + " ms from " + log.file().getFileName());
    }

    public Readiness readiness() {
        return loaded ? Readiness.up() : Readiness.down("loading memories");
    }

    public long seq() {
        return seq;
    }

    public Optional<Memory> get(String id) {
        requireLoaded();
        return Optional.ofNullable(memories.get(id));
    }

    public Memory require(String id) {
        return get(id).orElseThrow(() -> notFound(id));
    }

    /** The version current at system time {@code asOf} (null: now); 404 when unknown then, 410 when deleted then. */
    public Version read(String id, Instant asOf) {
        Memory m = require(id);
        Version v = asOf == null ? m.latest() : m.at(asOf);
        if (v == null) {
            throw new ApiException.NotFound("memory_not_found", "memory '" + id + "' was not recorded yet at " + asOf
                    + " (its first version is from " + m.versions().get(0).recordedAt() + ")");
        }
        if (v.deleted()) {
            throw new ApiException.BadRequest(410, "memory_deleted", "memory '" + id + "' was deleted at " + v.recordedAt()
                    + "; its versions are at /v1/memory/" + id + "/history", Map.of());
        }
        return v;
    }

    public VersionLog.Entry add(PathwaydWire.AddRequest req) {
        return submit(new Add(req));
    }

    public VersionLog.Entry update(String id, PathwaydWire.UpdateRequest req, boolean clearValidTo) {
        return submit(new Update(id, req, clearValidTo));
    }

    /** A version that holds again from its {@code valid_from} on (its {@code valid_to} cleared), with the caller's reason. */
    public VersionLog.Entry reopen(String id, String reason, Integer expectedVersion) {
        return submit(new Reopen(id, reason, expectedVersion));
    }

    /**
     * Removes every version of a memory from the log (rewritten atomically) and from memory; the entry answered records
     * the purge (id, how many versions, the reason), never the text. The indexer then deletes its points.
     */
    public VersionLog.Entry purge(String id, String reason) {
        return submit(new Purge(List.of(id), reason, false));
    }

    /** What an erasure did: the memories purged and their versions. */
    public record Erased(String erasureId, int memoriesPurged, long versionsPurged, long lastSeq) {
    }

    /**
     * Purges every memory of which any version names the subject — in its text, user, role, scope, metadata or
     * playbook — in one group, so the log is rewritten once however many there are. A memory written while this runs is
     * not seen: the erasure job runs it again until it finds nothing.
     */
    public Erased erase(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) {
        requireLoaded();
        List<String> ids = new ArrayList<>();
        for (Memory m : memories.values()) {
            if (m.versions().stream().anyMatch(v -> names(v, subject))) {
                ids.add(m.id());
            }
        }
        if (ids.isEmpty()) {
            return new Erased(erasureId, 0, 0, seq);
        }
        Outcome o = committer.submit(new Purge(ids, "erasure " + erasureId, true), WRITE_TIMEOUT);
        if (o.refused() != null) {
            throw o.refused();
        }
        return new Erased(erasureId, o.entries().size(), o.entries().stream().mapToLong(e -> e.purged().versions()).sum(),
                o.entries().isEmpty() ? seq : o.entries().get(o.entries().size() - 1).seq());
    }

    private static boolean names(Version v, dev.lakehouse.common.SubjectIdentifiers subject) {
        return subject.matches(v.text()) || subject.matches(v.user()) || subject.matches(v.role()) || subject.matches(v.scope())
                || v.metadata() != null && subject.matches(v.metadata().toString())
                || v.playbook() != null && subject.matches(v.playbook().toString());
    }

    /**
     * A page of memories in id order after {@code after}: the latest version of each that {@code keep} admits (deleted
     * ones only when {@code deleted}). Linear in the memories passed over.
     */
    public List<Memory> list(String after, int limit, boolean deleted, java.util.function.Predicate<Version> keep) {
        requireLoaded();
        List<Memory> out = new ArrayList<>();
        for (Memory m : (after == null ? memories : memories.tailMap(after, false)).values()) {
            Version v = m.latest();
            if ((deleted || !v.deleted()) && keep.test(v)) {
                out.add(m);
                if (out.size() == limit + 1) {
                    break;
                }
            }
        }
        return out;
    }

    public VersionLog.Entry delete(String id) {
        return submit(new Delete(id));
    }

    private VersionLog.Entry submit(Op op) {
        requireLoaded();
        Outcome o = committer.submit(op, WRITE_TIMEOUT);
        if (o.refused() != null) {
            throw o.refused();
        }
        return o.entries().get(0);
    }

    private void requireLoaded() {
        if (!loaded) {
            throw new ApiException.Unavailable("loading", "pathwayd is still loading its memories");
        }
    }

    /** Runs on the writer thread only. */
    private List<Outcome> write(List<Op> ops) throws IOException {
        Map<String, Memory> staged = new HashMap<>();
        Map<String, Long> purged = new HashMap<>();   // id → the seq of its purge entry
        List<Outcome> outcomes = new ArrayList<>(ops.size());
        List<VersionLog.Entry> entries = new ArrayList<>(ops.size());
        dev.lakehouse.common.LogPosition.Group group = position.group();
        for (Op op : ops) {
            Instant now = group.now();   // recorded_at strictly increases, whatever the clock does
            Lookup current = id -> staged.containsKey(id) ? staged.get(id) : purged.containsKey(id) ? null : memories.get(id);
            try {
                List<VersionLog.Entry> made = new ArrayList<>(1);
                if (op instanceof Purge p) {
                    for (String id : p.ids()) {
                        Memory m = current.get(id);
                        if (m == null) {
                            if (p.skipMissing()) {
                                continue;
                            }
                            throw notFound(id);
                        }
                        Instant at = made.isEmpty() ? now : group.now();
                        VersionLog.Entry e = new VersionLog.Entry(group.add(at), at, List.of(),
                                new VersionLog.Purge(id, m.versions().size(), p.reason()));
                        staged.remove(id);
                        purged.put(id, e.seq());
                        made.add(e);
                    }
                } else {
                    List<Version> versions = apply(op, current, now);
                    made.add(new VersionLog.Entry(group.add(now), now, versions));
                    publish(versions, current, staged);
                    versions.forEach(v -> purged.remove(v.id()));   // an id purged, then added again in the same group
                }
                entries.addAll(made);
                outcomes.add(new Outcome(List.copyOf(made), null));
            } catch (ApiException refused) {
                outcomes.add(new Outcome(List.of(), refused));
            }
        }
        if (!entries.isEmpty()) {
            log.append(entries);   // throws: the group fails, nothing is published
            group.commit();
            seq = position.seq();
            memories.putAll(staged);
            if (!purged.isEmpty()) {
                purged.keySet().stream().filter(id -> !staged.containsKey(id)).forEach(memories::remove);
                try {
                    dropPurged(purged);
                } catch (IOException e) {   // the purge entries are durable: the next load finishes the rewrite
                    LOG.warning("rewriting the log for a purge failed (" + e.getMessage() + "); the next start finishes it");
                }
            }
            entries.forEach(e -> versionsWritten.increment(e.versions().size()));
            entries.forEach(listener);
            entries.forEach(committed);
        }
        return outcomes;
    }

    /** Rewrites the log without the versions of each purged memory recorded before its purge (id → the purge's seq). */
    private void dropPurged(Map<String, Long> purged) throws IOException {
        long start = System.nanoTime();
        int changed = log.rewrite(e -> {
            if (e.purged() != null || e.versions().stream().noneMatch(v -> e.seq() < purged.getOrDefault(v.id(), Long.MIN_VALUE))) {
                return e;
            }
            List<Version> kept = e.versions().stream().filter(v -> e.seq() >= purged.getOrDefault(v.id(), Long.MIN_VALUE)).toList();
            return kept.isEmpty() ? null : new VersionLog.Entry(e.seq(), e.at(), kept);
        });
        LOG.info("purged " + purged.size() + " memory(ies): " + changed + " log entries rewritten or dropped in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    private static void publish(List<Version> versions, Lookup from, Map<String, Memory> into) {
        for (Version v : versions) {
            Memory m = from.get(v.id());
            into.put(v.id(), m == null ? Memory.first(v) : m.with(v));
        }
    }

    private interface Lookup {
        Memory get(String id);
    }

    /** The versions a write makes, by the rules of docs/pathwayd.md; an ApiException when they refuse it. */
    private static List<Version> apply(Op op, Lookup memories, Instant now) {
        return switch (op) {
            case Add a -> add(a.req(), memories, now);
            case Update u -> List.of(update(u.id(), u.req(), u.clearValidTo(), memories, now));
            case Reopen r -> List.of(reopen(r, memories, now));
            case Delete d -> List.of(live(d.id(), memories, "delete").next(Version.Change.DELETED, now));
            case Purge p -> throw new IllegalStateException("a purge makes no version");
        };
    }

    /**
     * A new memory, closing what it supersedes as Graphiti resolves contradicting edges, by valid time (docs/pathwayd.md,
     * "Superseding"): an old memory that holds from before the new one is closed at the new one's {@code valid_from}; one
     * that starts later (future-dated) stays, and the new memory is closed where it starts; one that starts at the same
     * moment never holds again ({@code valid_to} = {@code valid_from}); one whose time does not overlap the new one's is
     * linked and left as it is.
     */
    private static List<Version> add(PathwaydWire.AddRequest r, Lookup memories, Instant now) {
        String id = r.id() != null ? r.id() : "m-" + UUID.randomUUID();
        if (memories.get(id) != null) {
            throw new ApiException.Conflict("memory_exists", "memory '" + id + "' exists; PUT /v1/memory/" + id
                    + " writes a new version of it");
        }
        Instant from = r.validFromTime() != null ? r.validFromTime() : now;
        Instant to = r.validToTime();
        if (to != null && !to.isAfter(from)) {
            throw new ApiException.BadRequest("invalid_range", "valid_to: " + to + " is not after valid_from (" + from
                    + (r.validFrom() == null ? ", now" : "") + ")");
        }
        List<Version> closedVersions = new ArrayList<>();
        List<String> closed = r.supersedes() == null ? List.of() : r.supersedes();
        for (int i = 0; i < closed.size(); i++) {
            String old = closed.get(i);
            Memory m = memories.get(old);
            if (m == null) {
                throw new ApiException.BadRequest(422, "unknown_memory", "supersedes[" + i + "]: there is no memory '" + old
                        + "'", Map.of());
            }
            Version latest = m.latest();
            if (latest.deleted()) {
                throw new ApiException.Conflict("memory_deleted", "supersedes[" + i + "]: memory '" + old + "' was deleted at "
                        + latest.recordedAt());
            }
            Instant oldFrom = latest.validFrom();
            Instant oldTo = latest.validTo();
            boolean disjoint = oldTo != null && !oldTo.isAfter(from) || to != null && !to.isAfter(oldFrom);
            Instant closeAt;
            if (disjoint) {
                closeAt = oldTo;   // nothing to close: the link alone
            } else if (oldFrom.isBefore(from)) {
                closeAt = from;
            } else if (oldFrom.equals(from)) {
                closeAt = from;    // replaced from its first moment: holds at no time
            } else {
                closeAt = oldTo;   // the old one is future-dated: it stays, and cuts the new one short
                to = to == null || oldFrom.isBefore(to) ? oldFrom : to;
            }
            closedVersions.add(latest.next(Version.Change.SUPERSEDED, now).withValidity(oldFrom, closeAt).supersededBy(id));
        }
        List<Version> out = new ArrayList<>();
        out.add(new Version(id, 1, Version.Change.CREATED, r.kind(), r.text(), r.role(), r.scope(), r.user(), r.metadata(),
                r.playbook() == null ? null : Json.mapper().valueToTree(r.playbook()), from, to, now, r.supersedes(), null, null));
        out.addAll(closedVersions);
        return List.copyOf(out);
    }

    /** A reopen: the latest version, not deleted and closed ({@code valid_to} set), made to hold again. */
    private static Version reopen(Reopen r, Lookup memories, Instant now) {
        Version latest = live(r.id(), memories, "reopen");
        if (r.expectedVersion() != null && r.expectedVersion() != latest.version()) {
            throw new ApiException.Conflict("version_conflict", "memory '" + r.id() + "' is at version " + latest.version()
                    + ", not expected_version " + r.expectedVersion());
        }
        if (latest.validTo() == null) {
            throw new ApiException.Conflict("memory_open", "memory '" + r.id() + "' holds already (it has no valid_to); "
                    + "nothing to reopen");
        }
        return latest.next(Version.Change.REOPENED, now).reopened(r.reason());
    }

    private static Version update(String id, PathwaydWire.UpdateRequest r, boolean clearValidTo, Lookup memories, Instant now) {
        Version latest = live(id, memories, "update");
        if (r.expectedVersion() != null && r.expectedVersion() != latest.version()) {
            throw new ApiException.Conflict("version_conflict", "memory '" + id + "' is at version " + latest.version()
                    + ", not expected_version " + r.expectedVersion());
        }
        if (r.kind() != null && !r.kind().equals(latest.kind())) {
            throw new ApiException.BadRequest("invalid_field", "kind: memory '" + id + "' is a " + latest.kind()
                    + "; a kind never changes (write a new memory that supersedes it)");
        }
        if (r.playbook() != null && !PathwaydWire.PLAYBOOK.equals(latest.kind())) {
            throw new ApiException.BadRequest("invalid_field", "playbook: is for kind playbook only");
        }
        Instant from = r.validFromTime() != null ? r.validFromTime() : latest.validFrom();
        Instant to = clearValidTo ? null : r.validTo() != null ? r.validToTime() : latest.validTo();
        if (to != null && !to.isAfter(from)) {
            throw new ApiException.BadRequest("invalid_range", "valid_to: " + to + " is not after valid_from (" + from + ")");
        }
        JsonNode playbook = r.playbook() != null ? Json.mapper().valueToTree(r.playbook()) : latest.playbook();
        return latest.next(clearValidTo && latest.validTo() != null ? Version.Change.REOPENED : Version.Change.UPDATED, now)
                .withContent(r.text(), or(r.role(), latest.role()), or(r.scope(), latest.scope()), or(r.user(), latest.user()),
                        r.metadata() != null ? (r.metadata().isEmpty() ? null : r.metadata()) : latest.metadata(), playbook)
                .withValidity(from, to);
    }

    /** The latest version of a memory that exists and is not deleted: 404 / 409 otherwise. */
    private static Version live(String id, Lookup memories, String verb) {
        Memory m = memories.get(id);
        if (m == null) {
            throw notFound(id);
        }
        if (m.latest().deleted()) {
            throw new ApiException.Conflict("memory_deleted", "memory '" + id + "' was deleted at " + m.latest().recordedAt()
                    + "; a deleted memory cannot " + verb + " (its versions are at /v1/memory/" + id + "/history)");
        }
        return m.latest();
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    private static ApiException notFound(String id) {
        return new ApiException.NotFound("memory_not_found", "there is no memory '" + id + "'");
    }

    /** Stops taking writes, finishes the queued ones, and closes the log. */
    @Override
    public void close() {
        committer.close();
        try {
            log.close();
        } catch (IOException e) {
            LOG.warning("closing pathwayd's log failed: " + e.getMessage());
        }
    }
}
