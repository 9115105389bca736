package dev.lakehouse.matrixd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;

/**
 * The cross-role gate: on a corpus marked {@code gate:"role"} (playbooks), a hit
 * recorded for one role is never returned to a query for another. "Another" is the
 * roster's notion (validatord's compatible-roles table, of which matrixd keeps its
 * own copy in {@code roles.json}): a query for role Q admits hits whose {@code role}
 * is Q or a role Q's orders accept. Roles compare case-insensitively, spaces trimmed.
 *
 * <p>The gate is applied twice: as a vectord payload filter (so vectord returns k
 * admitted hits when k exist, not k hits of which some are then dropped), and
 * again on every hit that comes back (a hit without a role, or with an unknown one,
 * is never admitted). Immutable after construction; thread-safe.
 */
final class RoleGate {
    private final Set<String> known;
    private final Map<String, List<String>> alsoAccepted;

    private RoleGate(Set<String> known, Map<String, List<String>> alsoAccepted) {
        this.known = known;
        this.alsoAccepted = alsoAccepted;
    }

    /** The table shipped in the jar. */
    static RoleGate standard() {
        try (InputStream in = RoleGate.class.getResourceAsStream("roles.json")) {
            JsonNode root = Json.mapper().readTree(in);
            Set<String> known = new LinkedHashSet<>();
            root.path("known").forEach(r -> known.add(normal(r.asText())));
            Map<String, List<String>> also = new HashMap<>();
            root.path("also_accepted").fields().forEachRemaining(e -> {
                List<String> roles = new ArrayList<>();
                e.getValue().forEach(r -> roles.add(normal(r.asText())));
                also.put(normal(e.getKey()), List.copyOf(roles));
            });
            return new RoleGate(Set.copyOf(known), Map.copyOf(also));
        } catch (IOException e) {
            throw new UncheckedIOException("matrixd's roles.json is missing or broken", e);
        }
    }

    static String normal(String role) {
        return role.strip().toLowerCase(Locale.ROOT);
    }

    /** The roster's roles, sorted. */
    List<String> known() {
        return known.stream().sorted().toList();
    }

    boolean isKnown(String role) {
        return known.contains(normal(role));
    }

    /**
     * The {@code n} known roles closest to {@code role}: those sharing a word with it first, then by edit distance
     * (bounded: roles and the asked role are at most 100 characters).
     */
    List<String> closest(String role, int n) {
        java.util.Set<String> words = java.util.Set.of(role.split("\\s+"));
        return known.stream().sorted(Comparator.comparingInt((String k) -> java.util.Arrays.stream(k.split(" "))
                        .anyMatch(words::contains) ? 0 : 1).thenComparingInt(k -> distance(k, role)).thenComparing(k -> k))
                .limit(n).toList();
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The roles a query for any of {@code queryRoles} admits, in order, each once. */
    List<String> admitted(List<String> queryRoles) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        queryRoles.forEach(q -> out.addAll(admitted(q)));
        return List.copyOf(out);
    }

    /** Whether a hit recorded for {@code hitRole} may be returned to a query for any of {@code queryRoles}. */
    boolean admits(List<String> queryRoles, String hitRole) {
        return hitRole != null && queryRoles.stream().anyMatch(q -> admits(q, hitRole));
    }

    /** The roles a query for {@code queryRole} admits, its own first. */
    List<String> admitted(String queryRole) {
        String q = normal(queryRole);
        List<String> out = new ArrayList<>();
        out.add(q);
        out.addAll(alsoAccepted.getOrDefault(q, List.of()));
        return List.copyOf(out);
    }

    /** Whether a hit recorded for {@code hitRole} (null: none) may be returned to a query for {@code queryRole}. */
    boolean admits(String queryRole, String hitRole) {
        return hitRole != null && admitted(queryRole).contains(normal(hitRole));
    }
}
