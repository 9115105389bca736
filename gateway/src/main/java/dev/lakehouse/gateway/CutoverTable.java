package dev.lakehouse.gateway;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;

/**
 * The cutover table (docs/cutover.md): for each {@code /v1} route prefix, who serves it — {@code local} (this stack's
 * daemon) or a legacy base URL — and whether the other side gets a copy of each request ({@code shadow}, with a
 * sampling rate), compared by the documented normalisation. Read from {@code LAKEHOUSE_ROUTES_FILE}; a routes file that
 * is wrong is refused with the reason and the table in force stays. Immutable: a reload swaps the whole table.
 *
 * <pre>
 * {"routes":[
 *   {"prefix":"/v1/chat","target":"local","mode":"shadow","legacy":"http://10.0.0.7:4200","sample":0.25,
 *    "normalize":{"ignore":["latency_ms","took_ms"],"tolerance":1e-6,"unordered":["hits"]}},
 *   {"prefix":"/v1/validate","target":"http://10.0.0.7:4200","mode":"serve"}]}
 * </pre>
 * A shadowed route copies only what changes nothing ({@link ShadowPolicy}) unless it says {@code "shadow_writes": true}
 * (writes run on both stacks) or {@code "shadow_paid": true} (chat calls are paid twice).
 */
record CutoverTable(String version, String loadedAt, String file, List<Entry> routes) {
    static final CutoverTable NONE = new CutoverTable("none", null, null, List.of());
    /** What is never compared, whatever a route says: timings and request ids. */
    static final List<String> ALWAYS_IGNORED = List.of("took_ms", "latency_ms", "ttft_ms", "request_id", "elapsed_ms");

    /** What the file says for one prefix. */
    record Entry(String prefix, String target, String mode, String legacy, Double sample, Normalize normalize, Boolean shadowWrites,
                 Boolean shadowPaid) {
        Entry {
            FieldError.required(prefix, "prefix");
            FieldError.check(RouteTable.ROUTES.stream().anyMatch(r -> r.prefix().equals(prefix) && r.daemon() != null), "prefix",
                    "'" + abbreviate(prefix) + "' is not a /v1 route prefix the gateway forwards (docs/gateway.md)");
            FieldError.required(target, "target");
            FieldError.check(target.equals("local") || isHttp(target), "target", "must be \"local\" or an http(s) base URL, not '"
                    + abbreviate(target) + "'");
            mode = mode == null ? "serve" : mode;
            FieldError.check(mode.equals("serve") || mode.equals("shadow"), "mode", "must be \"serve\" or \"shadow\"");
            FieldError.check(legacy == null || isHttp(legacy), "legacy", "must be an http(s) base URL, not '" + abbreviate(legacy) + "'");
            FieldError.check(!(mode.equals("shadow") && target.equals("local") && legacy == null), "legacy",
                    "a route served locally in shadow mode needs the legacy URL its copies go to");
            sample = sample == null ? 1.0 : sample;
            FieldError.check(sample >= 0 && sample <= 1, "sample", "must be between 0 and 1 (the share of requests copied)");
            normalize = normalize == null ? new Normalize(null, null, null) : normalize;
            shadowWrites = Boolean.TRUE.equals(shadowWrites);
            shadowPaid = Boolean.TRUE.equals(shadowPaid);
        }

        Entry(String prefix, String target, String mode, String legacy, Double sample, Normalize normalize) {
            this(prefix, target, mode, legacy, sample, normalize, null, null);
        }

        /** Why a request of this kind is not copied ({@code write_not_shadowed}, {@code paid_not_shadowed}), or null: it is. */
        String refuses(ShadowPolicy.Kind kind) {
            return switch (kind) {
                case READ -> null;
                case WRITE -> shadowWrites ? null : "write_not_shadowed";
                case PAID -> shadowPaid ? null : "paid_not_shadowed";
            };
        }

        boolean local() {
            return target.equals("local");
        }

        boolean shadow() {
            return mode.equals("shadow");
        }

        /** Where the copies of a shadowed route go: the legacy URL when local serves, this stack when legacy does. */
        String shadowTarget() {
            return local() ? legacy : "local";
        }
    }

    /** How answers are compared: keys ignored at any depth, float tolerance, arrays whose order does not count. */
    record Normalize(List<String> ignore, Double tolerance, List<String> unordered) {
        Normalize {
            ignore = ignore == null ? List.of() : List.copyOf(ignore);
            unordered = unordered == null ? List.of() : List.copyOf(unordered);
            FieldError.check(ignore.size() <= 100 && unordered.size() <= 100, "normalize", "at most 100 keys each");
            for (String k : ignore) {
                FieldError.check(k != null && !k.isEmpty() && k.length() <= 64, "normalize.ignore", "keys of 1 to 64 characters");
            }
            for (String k : unordered) {
                FieldError.check(k != null && !k.isEmpty() && k.length() <= 64, "normalize.unordered", "keys of 1 to 64 characters");
            }
            tolerance = tolerance == null ? 1e-9 : tolerance;
            FieldError.check(tolerance >= 0 && tolerance <= 1, "normalize.tolerance", "must be between 0 and 1");
        }
    }

    /** The file's JSON shape. */
    record FileShape(List<Entry> routes, com.fasterxml.jackson.databind.JsonNode change) {
        FileShape {
            FieldError.required(routes, "routes");
            FieldError.check(routes.size() <= RouteTable.ROUTES.size(), "routes", "at most one entry per route prefix");
        }
    }

    private static boolean isHttp(String url) {
        try {
            URI u = new URI(url);
            return (u.getScheme() != null && (u.getScheme().equals("http") || u.getScheme().equals("https"))) && u.getHost() != null
                    && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null && url.length() <= 512;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** A table from a file; an unreadable or wrong one throws a 400 naming what is wrong (the caller keeps the old table). */
    static CutoverTable load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ApiException.BadRequest("routes_file_unreadable", "the routes file " + file.getFileName() + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        return parse(bytes, String.valueOf(file.getFileName()));
    }

    static CutoverTable parse(byte[] bytes, String file) {
        FileShape shape;
        try {
            shape = Json.parse(bytes, FileShape.class);
        } catch (ApiException e) {
            throw new ApiException.BadRequest("invalid_routes_file", "the routes file " + file + " is refused (the table in force stays): "
                    + e.detail());
        }
        Set<String> seen = new HashSet<>();
        List<Entry> routes = new ArrayList<>();
        for (Entry e : shape.routes()) {
            if (e == null) {
                throw new ApiException.BadRequest("invalid_routes_file", "the routes file " + file + " has a null route");
            }
            if (!seen.add(e.prefix())) {
                throw new ApiException.BadRequest("invalid_routes_file", "the routes file " + file + " names " + e.prefix() + " twice");
            }
            routes.add(e);
        }
        return new CutoverTable(versionOf(bytes), Instant.now().toString(), file, List.copyOf(routes));
    }

    /**
     * Whether a routes file was written by a gateway's {@code PUT /admin/routes} (its change journaled or spooled there),
     * not edited by hand: its {@code change.routes_sha} is the SHA-256 of its routes as written. Replicas watching the file
     * apply such a change even while journald is down (their own entry spooled); a hand edit waits for journald.
     */
    static boolean madeThroughApi(byte[] bytes) {
        try {
            com.fasterxml.jackson.databind.JsonNode t = Json.mapper().readTree(bytes);
            return t != null && t.path("change").path("routes_sha").asText("").equals(routesSha(t.path("routes")));
        } catch (IOException e) {
            return false;
        }
    }

    static String routesSha(com.fasterxml.jackson.databind.JsonNode routes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(routes.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A table's version: the first 12 hex digits of its file's SHA-256. */
    static String versionOf(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<Entry> entry(String prefix) {
        for (Entry e : routes) {
            if (e.prefix().equals(prefix)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
