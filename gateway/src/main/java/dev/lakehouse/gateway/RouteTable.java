package dev.lakehouse.gateway;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.DaemonId;

/**
 * Which daemon serves a {@code /v1} path, and which API-key scope it needs
 * (DESIGN.md §3). Prefixes match whole path segments: {@code /v1/embed} matches
 * {@code /v1/embed} and {@code /v1/embed/x}, never {@code /v1/embedx}. A path
 * must be plain before it is routed — no dot segments, no empty segments, no
 * encoded slash, backslash or dot — so the daemon that receives it is the one
 * its prefix names.
 */
final class RouteTable {
    /** The erasure coordinator's route, answered by the gateway itself ({@link Erasures}). */
    static final String PRIVACY = "/v1/privacy/erasures";

    /** One route: a path prefix, its scope, and the daemon behind it (null: the gateway answers itself). */
    record Route(String prefix, String scope, DaemonId daemon) {
        boolean matches(String path) {
            return path.equals(prefix) || path.startsWith(prefix + "/");
        }
    }

    /**
     * First match wins: each daemon's erasure route needs the {@code privacy} scope, never its daemon's own (a key that
     * may read the journal or write memories may not erase people from them).
     */
    static final List<Route> ROUTES = List.of(
            new Route(PRIVACY, "privacy", null),
            new Route("/v1/journal/erasures", "privacy", DaemonId.JOURNALD),
            new Route("/v1/indexes/erasures", "privacy", DaemonId.VECTORD),
            new Route("/v1/matrix/erasures", "privacy", DaemonId.MATRIXD),
            new Route("/v1/observe/erasures", "privacy", DaemonId.OBSERVERD),
            new Route("/v1/distill/erasures", "privacy", DaemonId.DISTILLD),
            new Route("/v1/roster/erasures", "privacy", DaemonId.VALIDATORD),
            new Route("/v1/memory/erasures", "privacy", DaemonId.PATHWAYD),
            new Route("/v1/truth/erasures", "privacy", DaemonId.TRUTHD),
            new Route("/v1/embed/erasures", "privacy", DaemonId.EMBEDD),
            new Route("/v1/embed", "embed", DaemonId.EMBEDD),
            new Route("/v1/embeddings", "embed", DaemonId.EMBEDD),
            new Route("/v1/models", "embed", null),
            new Route("/v1/indexes", "indexes", DaemonId.VECTORD),
            new Route("/v1/chat", "chat", DaemonId.CHATD),
            new Route("/v1/providers", "chat", DaemonId.CHATD),
            new Route("/v1/spend", "spend", DaemonId.CHATD),
            new Route("/v1/matrix", "matrix", DaemonId.MATRIXD),
            new Route("/v1/memory", "memory", DaemonId.PATHWAYD),
            new Route("/v1/validate", "validate", DaemonId.VALIDATORD),
            new Route("/v1/iterate", "validate", DaemonId.VALIDATORD),
            new Route("/v1/roster", "validate", DaemonId.VALIDATORD),
            new Route("/v1/truth", "truth", DaemonId.TRUTHD),
            new Route("/v1/observe", "observe", DaemonId.OBSERVERD),
            new Route("/v1/journal", "journal", DaemonId.JOURNALD),
            new Route("/v1/distill", "distill", DaemonId.DISTILLD),
            new Route("/v1/status/metrics", "status", null),
            new Route("/v1/status", "status", null));

    /** The scope of the gateway's own {@code /admin} routes (the cutover table, parity). */
    static final String ADMIN = "admin";
    static final List<String> SCOPES = java.util.stream.Stream.concat(ROUTES.stream().map(Route::scope), java.util.stream.Stream.of(ADMIN))
            .distinct().toList();

    private RouteTable() {
    }

    /** The route for a raw (still encoded) request path, after checking it is plain. */
    static Optional<Route> route(String rawPath) {
        checkPlain(rawPath);
        return ROUTES.stream().filter(r -> r.matches(rawPath)).findFirst();
    }

    static void checkPlain(String rawPath) {
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00")
                || rawPath.indexOf('\\') >= 0) {
            throw invalid(rawPath, "encoded slashes, dots, backslashes and NUL are not allowed in a path");
        }
        String[] segments = rawPath.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals(".") || s.equals("..")) {
                throw invalid(rawPath, "dot segments are not allowed in a path");
            }
            if (s.isEmpty() && i < segments.length - 1) {
                throw invalid(rawPath, "empty path segments are not allowed");
            }
        }
    }

    private static ApiException invalid(String rawPath, String why) {
        return new ApiException.BadRequest("invalid_path", why + ": " + (rawPath.length() > 200 ? rawPath.substring(0, 200) + "…" : rawPath));
    }
}
