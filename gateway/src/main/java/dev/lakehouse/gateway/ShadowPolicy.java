package dev.lakehouse.gateway;

import java.util.List;

/**
 * Which requests of a shadowed route may be copied to the other side (docs/cutover.md, "What is copied"). A copy runs
 * for real on the other stack, so by default only what changes nothing is copied: {@code GET} and {@code HEAD}, and the
 * {@code POST}s that only read ({@link #READ_ONLY}). Any other request is a write, copied only when the route says
 * {@code "shadow_writes": true}; a request that pays a provider ({@link #PAID}) only with {@code "shadow_paid": true}.
 */
final class ShadowPolicy {
    /** What a request is, for shadowing. */
    enum Kind {
        /** Changes nothing on the other stack: copied. */
        READ,
        /** Changes state (memory, indexes, claims, the journal, observations, runs): copied with {@code shadow_writes}. */
        WRITE,
        /** Calls a provider that bills for it (chat, iterate): copied with {@code shadow_paid}. */
        PAID
    }

    /** The {@code POST}s that only read, as {@code /v1/...} paths where {@code *} is one path segment. */
    static final List<String> READ_ONLY = List.of(
            "/v1/validate",
            "/v1/matrix/retrieve",
            "/v1/memory/search",
            "/v1/indexes/*/search",
            "/v1/truth/resolve",
            "/v1/embed",
            "/v1/embeddings");

    /** Route prefixes whose non-{@code GET} requests call a paid provider. */
    static final List<String> PAID = List.of("/v1/chat", "/v1/iterate");

    private ShadowPolicy() {
    }

    static Kind of(String method, String path) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return Kind.READ;
        }
        for (String p : PAID) {
            if (path.equals(p) || path.startsWith(p + "/")) {
                return Kind.PAID;
            }
        }
        if (method.equals("POST")) {
            for (String pattern : READ_ONLY) {
                if (matches(pattern, path)) {
                    return Kind.READ;
                }
            }
        }
        return Kind.WRITE;
    }

    /** Whether {@code path} is {@code pattern}, segment by segment ({@code *}: any one non-empty segment). */
    static boolean matches(String pattern, String path) {
        String[] p = pattern.split("/", -1);
        String[] s = path.split("/", -1);
        if (p.length != s.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!(p[i].equals("*") ? !s[i].isEmpty() : p[i].equals(s[i]))) {
                return false;
            }
        }
        return true;
    }
}
