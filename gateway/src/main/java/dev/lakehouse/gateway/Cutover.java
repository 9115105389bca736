package dev.lakehouse.gateway;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Meters;
import dev.lakehouse.common.PeerClient;
import io.helidon.http.Header;
import io.helidon.http.Method;

/**
 * Cutover (docs/cutover.md): the route table in force, reloaded atomically from {@code LAKEHOUSE_ROUTES_FILE} (on
 * {@code POST /admin/routes/reload} and on SIGHUP — a bad file is refused with the reason and the old table stays), the
 * legacy stacks it names, and shadow traffic: after the caller has its answer, the same request goes to the other side
 * on a virtual thread of its own (at most {@value #MAX_SHADOWS} at a time; more are dropped and counted, never queued), the
 * two answers are compared ({@link Parity}), a difference is journaled ({@code cutover.diff}) and everything is counted
 * ({@code gateway_shadow_requests_total{route,result}}, and the parity summary of {@code GET /admin/parity}).
 */
final class Cutover {
    private static final Logger LOG = Logger.getLogger(Cutover.class.getName());
    static final int MAX_SHADOWS = 64;
    /** A request body larger than this is served but not shadowed (result {@code too_large}). */
    static final int MAX_SHADOW_BODY = 1 << 20;
    static final List<String> RESULTS = List.of("match", "diff", "shadow_unavailable", "not_compared", "dropped", "too_large",
            "no_buffer", "write_not_shadowed", "paid_not_shadowed");

    /** How a route's shadow traffic went since its entry in the table last changed. */
    record Parity(String route, long requests, Map<String, Long> results, Double matchRate) {
    }

    /** Who changes the table, how, and with what else to journal ({@code data}: the CLI's parity, the route, …). */
    record Change(String type, String actor, String via, ObjectNode data, boolean force) {
        static final java.util.regex.Pattern TYPES = java.util.regex.Pattern.compile("cutover\\.(shadow|switch|rollback|edit|reload)");
    }

    /** A change in force: the table before it, the table now, and its journal entry's seq (null: spooled). */
    record Applied(String before, CutoverTable table, Long seq, boolean spooled) {
    }

    private final Path file;   // null: no cutover table, every route local
    private final GatewayConfig config;
    private final Meters meters;
    private final PeerClient journal;   // null: differences are counted, not journaled
    private final ChangeJournal changes;   // null: no routes file, nothing can change
    private final DiffSampler diffs;
    private final String replica;
    private final Semaphore shadows = new Semaphore(MAX_SHADOWS);
    private final Map<String, Upstream> legacy = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();
    private volatile CutoverTable table = CutoverTable.NONE;
    private final dev.lakehouse.common.Periodic watcher;
    private volatile String refusedVersion;   // the file's version last refused by the watcher (said once, retried when it changes)

    private final BufferBudget buffers;

    Cutover(Path file, GatewayConfig config, Meters meters, BufferBudget buffers, PeerClient journal, Path dataDir) {
        this.buffers = buffers;
        this.file = file;
        this.config = config;
        this.meters = meters;
        this.journal = journal;
        this.replica = config.replica();
        this.changes = file == null || journal == null ? null : new ChangeJournal(journal, dataDir);
        this.diffs = new DiffSampler(journal, config.diffWindow(), config.diffSamples(), meters);
        if (file != null) {
            try {
                table = CutoverTable.load(file);
            } catch (ApiException bad) {   // at start, a bad file stops the start, naming what is wrong
                throw new dev.lakehouse.common.ConfigException(bad.detail());
            }
            journalAtStart(dataDir);
        }
        this.watcher = file == null ? null : dev.lakehouse.common.Periodic.every("routes-watch", config.routesWatch(), this::watch);
    }

    CutoverTable table() {
        return table;
    }

    String replica() {
        return replica;
    }

    /** Changes waiting for journald (forced while it was down). */
    int pendingJournal() {
        return changes == null ? 0 : changes.pending();
    }

    /**
     * A table the gateway did not journal itself (the file changed while it was down, or it is new) is journaled when it
     * starts, through the spool: journald may not be up yet, and the gateway must serve.
     */
    private void journalAtStart(Path dataDir) {
        Path last = dataDir.resolve("cutover-version");
        try {
            String was = Files.exists(last) ? Files.readString(last).strip() : null;
            if (!table.version().equals(was) && changes != null) {
                changes.record(entry(new Change("cutover.reload", owner(), "start", null, true), was, null, table), true);
                remember();
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warning("the table in force at start could not be journaled: " + e);
        }
    }

    private void remember() {
        try {
            Path last = config.dataDir().resolve("cutover-version");
            Files.createDirectories(last.getParent());
            dev.lakehouse.common.AtomicFile.write(last, table.version().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            LOG.warning("cutover-version not written: " + e);
        }
    }

    private Path requireFile() {
        if (file == null) {
            throw new ApiException.Conflict("no_routes_file", "LAKEHOUSE_ROUTES_FILE is not set: every route is served locally");
        }
        return file;
    }

    /** Reads the file again; the new table replaces the old one whole, or — refused — the old one stays. */
    Applied reload(Change change) {
        return apply(null, null, change);
    }

    /**
     * Puts a table in force — {@code bytes} (written to the routes file, the source every replica watches) or, when null,
     * what the file holds — after its journal entry is taken (or, forced, spooled). {@code expectVersion}: the version the
     * caller read; another is a 409 {@code table_changed} naming the version there is now (two operators at once: one wins).
     */
    synchronized Applied apply(byte[] bytes, String expectVersion, Change change) {
        Path f = requireFile();
        CutoverTable before = table;
        if (expectVersion != null) {
            String onDisk = Files.exists(f) ? CutoverTable.versionOf(readFile(f)) : "none";
            if (!expectVersion.equals(onDisk) || !expectVersion.equals(before.version())) {
                throw new ApiException.Conflict("table_changed", "the cutover table is at version " + onDisk + " (in force on "
                        + replica + ": " + before.version() + "), not " + CutoverTable.abbreviate(expectVersion)
                        + ": someone changed it since it was read; read it again (cutover status) and repeat");
            }
        }
        CutoverTable next = bytes == null ? CutoverTable.load(f) : CutoverTable.parse(bytes, String.valueOf(f.getFileName()));
        if (next.version().equals(before.version())) {
            return new Applied(before.version(), before, null, false);
        }
        if (bytes != null && !Files.isWritable(f.getParent()) || bytes != null && Files.exists(f) && !Files.isWritable(f)) {
            throw new ApiException.Conflict("routes_file_read_only", "the routes file " + f.getFileName() + " cannot be written here "
                    + "(a ConfigMap?): change it where it comes from; every gateway watching it applies it (docs/cutover.md)");
        }
        ChangeJournal.Outcome journaled = changes.record(entry(change, before.version(), before, next), change.force());
        if (bytes != null) {
            try {
                dev.lakehouse.common.AtomicFile.write(f, bytes);
            } catch (java.io.IOException e) {
                throw new ApiException.Conflict("routes_file_read_only", "the routes file " + f.getFileName() + " cannot be written ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        // parity is per route entry: a route whose entry changed starts again, the others keep theirs
        counts.keySet().removeIf(route -> !before.entry(route).equals(next.entry(route)));
        table = next;
        refusedVersion = null;
        remember();
        legacy.keySet().retainAll(next.routes().stream().flatMap(e -> java.util.stream.Stream.of(e.target(), e.legacy()))
                .filter(t -> t != null && !t.equals("local")).toList());
        LOG.info("cutover table " + next.version() + " in force (" + change.via() + ", " + change.type() + "): " + next.routes().size()
                + " routes" + (journaled.spooled() ? "; its journal entry is spooled until journald answers" : ""));
        return new Applied(before.version(), next, journaled.seq(), journaled.spooled());
    }

    private static byte[] readFile(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (java.io.IOException e) {
            throw new ApiException.BadRequest("routes_file_unreadable", "the routes file " + f.getFileName() + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The journal entry of a change: who, how, on which replica, and the tables before and after. */
    private ObjectNode entry(Change change, String beforeVersion, CutoverTable before, CutoverTable after) {
        ObjectNode entry = Json.mapper().createObjectNode().put("type", change.type()).put("actor", change.actor()).put("subject", "routes");
        ObjectNode data = change.data() == null ? Json.mapper().createObjectNode() : change.data().deepCopy();
        data.put("via", change.via()).put("replica", replica).put("before_version", beforeVersion).put("after_version", after.version());
        data.set("table_before", before == null ? Json.mapper().nullNode() : Json.mapper().valueToTree(before.routes()));
        data.set("table_after", Json.mapper().valueToTree(after.routes()));
        entry.set("data", data);
        return entry;
    }

    /** Who owns the routes file: the "who" of a change made by editing it. */
    private String owner() {
        try {
            return "file:" + Files.getOwner(file).getName();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "file";
        }
    }

    /**
     * The watcher: a file whose version is not the one in force is applied (journaled first), or said once why not. A file
     * written by a replica's {@code PUT /admin/routes} is followed even while journald is down (the entry spooled); a hand
     * edit waits for journald (fail closed).
     */
    void watch() {
        if (file == null || !Files.exists(file)) {
            return;
        }
        String version;
        boolean viaApi;
        try {
            byte[] bytes = Files.readAllBytes(file);
            version = CutoverTable.versionOf(bytes);
            viaApi = CutoverTable.madeThroughApi(bytes);
        } catch (java.io.IOException e) {
            return;
        }
        if (version.equals(table.version())) {
            return;
        }
        try {   // a change made through another replica's API was journaled (or forced) there: follow it, spooling if need be
            reload(new Change("cutover.reload", owner(), "file-watch", null, viaApi));
        } catch (ApiException refused) {
            if (!version.equals(refusedVersion)) {
                LOG.warning("routes file " + file.getFileName() + " version " + version + " not applied: " + refused.detail()
                        + (refused.status() == 503 ? " (retried while it is refused)" : ""));
                refusedVersion = version;
            }
        }
    }

    /** SIGHUP reloads; a refused file is logged and the table in force stays. */
    void reloadOnHangup() {
        if (file == null) {
            return;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                try {
                    reload(new Change("cutover.reload", owner(), "sighup", null, false));
                } catch (ApiException e) {
                    LOG.warning("SIGHUP: " + e.detail());
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "SIGHUP cannot be handled here; reload with POST /admin/routes/reload", e);
        }
    }

    void close() {
        if (watcher != null) {
            watcher.close(Duration.ofSeconds(5));
        }
        if (changes != null) {
            changes.close();
        }
        diffs.close();
    }

    /** The upstream of a legacy base URL (one per URL, made on first use). */
    Upstream legacy(String url) {
        return legacy.computeIfAbsent(url, u -> new Upstream(u, URI.create(u), config, meters, buffers, null));
    }

    /** Whether this request is copied: its route shadows, and it falls within the sampling rate. */
    /** What the gateway does with one request of a route: serve it from one side, or serve it and shadow a copy. */
    sealed interface Plan permits Direct, Shadowed {
        /** The side whose answer the caller gets. */
        Upstream served();
    }

    /** Served by one side, nothing copied. */
    record Direct(Upstream served) implements Plan {
    }

    /**
     * Served by {@code served}, then a copy to {@code other} compared; {@code held} bytes of the buffer budget are the
     * caller's until {@link #shadow} takes them over (or it gives them back when it fails before).
     */
    record Shadowed(Upstream served, Upstream other, CutoverTable.Entry cut, long held) implements Plan {
    }

    /**
     * The plan for a {@code method} request to {@code path} under {@code route}, of {@code contentLength} bytes (-1:
     * unknown, {@code chunked}: streamed): local when the table does not name the route or sends it here unshadowed; else
     * the table's side, and a copy to the other side when the request is sampled, may be copied ({@link ShadowPolicy}:
     * else counted as {@code write_not_shadowed} or {@code paid_not_shadowed}), its body small enough to hold, and the
     * budget has room for it and both answers (otherwise counted as {@code too_large} or {@code no_buffer}).
     */
    Plan plan(String route, String method, String path, Upstream local, long contentLength, boolean chunked, BufferBudget buffers) {
        CutoverTable.Entry cut = table().entry(route).orElse(null);
        if (cut == null || cut.local() && !cut.shadow()) {
            return new Direct(local);
        }
        Upstream served = cut.local() ? local : legacy(cut.target());
        if (!sampled(cut)) {
            return new Direct(served);
        }
        String refused = cut.refuses(ShadowPolicy.of(method, path));
        if (refused != null) {
            count(route, refused);
            return new Direct(served);
        }
        if (contentLength > MAX_SHADOW_BODY || contentLength < 0 && chunked) {
            count(route, "too_large");
            return new Direct(served);
        }
        long held = Math.max(contentLength, 0) + 2L * Upstream.BUFFERED;
        if (!buffers.tryTake(held)) {
            count(route, "no_buffer");
            return new Direct(served);
        }
        return new Shadowed(served, cut.local() ? legacy(cut.legacy()) : local, cut, held);
    }

    static boolean sampled(CutoverTable.Entry e) {
        return e.shadow() && (e.sample() >= 1 || ThreadLocalRandom.current().nextDouble() < e.sample());
    }

    /**
     * The copy of a served request, after the caller has its answer: on a virtual thread, bounded; never throws into the
     * caller's request.
     */
    void shadow(CutoverTable.Entry e, Upstream other, Method method, String path, Map<String, List<String>> query, List<Header> headers,
                byte[] body, Upstream.Captured served, String requestId, Duration timeout, Runnable done) {
        if (!shadows.tryAcquire()) {
            count(e.prefix(), "dropped");
            done.run();
            return;
        }
        Thread.ofVirtual().name("shadow-" + requestId).start(() -> {
            try {
                Upstream.Captured copy;
                try {
                    copy = other.exchange(method, path, query, headers, body, timeout);
                } catch (ApiException down) {
                    count(e.prefix(), "shadow_unavailable");
                    record(e, served, null, "shadow_unavailable: " + down.code() + ": " + down.detail(), requestId);
                    return;
                }
                if (served.body() == null || copy.body() == null) {
                    count(e.prefix(), served.status() == copy.status() ? "not_compared" : "diff");
                    if (served.status() != copy.status()) {
                        record(e, served, copy, "status " + served.status() + " vs " + copy.status(), requestId);
                    }
                    return;
                }
                Optional<String> diff = dev.lakehouse.gateway.Parity.compare(served, copy, e.normalize());
                count(e.prefix(), diff.isEmpty() ? "match" : "diff");
                diff.ifPresent(d -> record(e, served, copy, d, requestId));
            } catch (RuntimeException bug) {
                LOG.log(Level.WARNING, "shadow of " + requestId + " failed", bug);
            } finally {
                shadows.release();
                done.run();
            }
        });
    }

    void count(String route, String result) {
        counts.computeIfAbsent(route, r -> new ConcurrentHashMap<>()).computeIfAbsent(result, x -> new LongAdder()).increment();
        meters.counter("gateway.shadow.requests", "shadowed requests, by route prefix and result", "route", route, "result", result)
                .increment();
    }

    /** {@code cutover.diff}: the route, both statuses, the bounded difference, the request id — sampled ({@link DiffSampler}). */
    private void record(CutoverTable.Entry e, Upstream.Captured served, Upstream.Captured copy, String diff, String requestId) {
        ObjectNode data = Json.mapper().createObjectNode().put("route", e.prefix()).put("served_by", e.target()).put("shadow", e.shadowTarget())
                .put("served_status", served.status()).put("request_id", requestId).put("diff", diff).put("table", table.version());
        if (copy != null) {
            data.put("shadow_status", copy.status());
        } else {
            data.putNull("shadow_status");
        }
        diffs.offer(e.prefix(), data);
    }

    /** Match rates per route (all routes, or one), since each route's entry last changed. */
    List<Parity> parity(String route) {
        Map<String, Parity> out = new TreeMap<>();
        for (CutoverTable.Entry e : table.routes()) {
            if (!e.shadow() && !counts.containsKey(e.prefix()) || route != null && !route.equals(e.prefix())) {
                continue;
            }
            Map<String, Long> results = new LinkedHashMap<>();
            RESULTS.forEach(r -> results.put(r, 0L));
            counts.getOrDefault(e.prefix(), Map.of()).forEach((r, n) -> results.put(r, n.sum()));
            long compared = results.get("match") + results.get("diff");
            long all = results.values().stream().mapToLong(Long::longValue).sum();
            out.put(e.prefix(), new Parity(e.prefix(), all, results, compared == 0 ? null
                    : Math.round(results.get("match") * 10_000.0 / compared) / 10_000.0));
        }
        if (route != null && out.isEmpty()) {
            throw new ApiException.NotFound("route_not_in_table", "no route '" + CutoverTable.abbreviate(route)
                    + "' in the cutover table " + table.version());
        }
        return List.copyOf(out.values());
    }
}
