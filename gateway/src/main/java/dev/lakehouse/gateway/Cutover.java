package dev.lakehouse.gateway;

import java.net.URI;
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

    /** How a route's shadow traffic went since the table was loaded. */
    record Parity(String route, long requests, Map<String, Long> results, Double matchRate) {
    }

    private final Path file;   // null: no cutover table, every route local
    private final GatewayConfig config;
    private final Meters meters;
    private final PeerClient journal;   // null: differences are counted, not journaled
    private final Semaphore shadows = new Semaphore(MAX_SHADOWS);
    private final Map<String, Upstream> legacy = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();
    private volatile CutoverTable table = CutoverTable.NONE;

    private final BufferBudget buffers;

    Cutover(Path file, GatewayConfig config, Meters meters, BufferBudget buffers, PeerClient journal) {
        this.buffers = buffers;
        this.file = file;
        this.config = config;
        this.meters = meters;
        this.journal = journal;
        if (file != null) {
            try {
                table = CutoverTable.load(file);
            } catch (ApiException bad) {   // at start, a bad file stops the start, naming what is wrong
                throw new dev.lakehouse.common.ConfigException(bad.detail());
            }
        }
    }

    CutoverTable table() {
        return table;
    }

    /** Reads the file again; the new table replaces the old one whole, or — refused — the old one stays. */
    synchronized CutoverTable reload() {
        if (file == null) {
            throw new ApiException.Conflict("no_routes_file", "LAKEHOUSE_ROUTES_FILE is not set: every route is served locally");
        }
        CutoverTable next = CutoverTable.load(file);
        if (!next.version().equals(table.version())) {
            counts.clear();   // parity is per table version
        }
        table = next;
        legacy.keySet().retainAll(next.routes().stream().flatMap(e -> java.util.stream.Stream.of(e.target(), e.legacy()))
                .filter(t -> t != null && !t.equals("local")).toList());
        LOG.info("cutover table " + next.version() + " in force from " + file.getFileName() + ": " + next.routes().size() + " routes");
        return next;
    }

    /** SIGHUP reloads; a refused file is logged and the table in force stays. */
    void reloadOnHangup() {
        if (file == null) {
            return;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                try {
                    reload();
                } catch (ApiException e) {
                    LOG.warning("SIGHUP: " + e.detail());
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "SIGHUP cannot be handled here; reload with POST /admin/routes/reload", e);
        }
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

    /** {@code cutover.diff} in journald: the route, both statuses, the bounded difference, the request id. */
    private void record(CutoverTable.Entry e, Upstream.Captured served, Upstream.Captured copy, String diff, String requestId) {
        if (journal == null) {
            return;
        }
        ObjectNode entry = Json.mapper().createObjectNode().put("type", "cutover.diff").put("actor", "gateway").put("subject", e.prefix());
        ObjectNode data = entry.putObject("data").put("route", e.prefix()).put("served_by", e.target()).put("shadow", e.shadowTarget())
                .put("served_status", served.status()).put("request_id", requestId).put("diff", diff).put("table", table.version());
        if (copy != null) {
            data.put("shadow_status", copy.status());
        } else {
            data.putNull("shadow_status");
        }
        try {
            journal.post("/v1/journal/entries", entry, ObjectNode.class, false);
        } catch (ApiException failed) {
            LOG.warning("cutover.diff of " + requestId + " not journaled: " + failed.detail());
        }
    }

    /** Match rates per route (all routes, or one), since the table in force was loaded. */
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
