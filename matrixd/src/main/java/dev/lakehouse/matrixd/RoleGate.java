package dev.lakehouse.matrixd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
