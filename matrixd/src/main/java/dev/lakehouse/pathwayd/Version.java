package dev.lakehouse.pathwayd;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One version of a memory, as stored (one element of a log entry) and as answered. A version is
 * never rewritten: a change is a new version with the next number.
 *
 * <p>Two times, as in a bi-temporal table: {@code valid_from}/{@code valid_to} say when the fact
 * holds in the world ({@code valid_to} null: still holds), {@code recorded_at} when pathwayd learned
 * it. A version's {@code superseded_at} — when pathwayd replaced it — is the next version's
 * {@code recorded_at}; it is derived ({@link Memory}), never written into the version.
 *
 * @param change       what made this version: {@code created}, {@code updated}, {@code superseded} (closed by a
 *                     newer memory, {@code superseded_by}), {@code reopened} (its {@code valid_to} cleared again,
 *                     with a {@code reason}) or {@code deleted} (a tombstone, carrying the content it deleted)
 * @param supersedes   on a {@code created} version: the memories it closed
 * @param supersededBy the memory that closed this one (kept on later versions)
 * @param reason       why a {@code reopened} version was made (the caller's words)
 */
public record Version(String id, int version, Change change, String kind, String text, String role, String scope,
                      String user, JsonNode metadata, JsonNode playbook, Instant validFrom, Instant validTo,
                      Instant recordedAt, List<String> supersedes, String supersededBy, String reason) {
    /** What made a version. */
    public enum Change {
        CREATED, UPDATED, SUPERSEDED, REOPENED, DELETED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean deleted() {
        return change == Change.DELETED;
    }

    /** A playbook created or updated (not closed or deleted): what distillation's playbook-recall evidence is made of. */
    public boolean playbookWritten() {
        return "playbook".equals(kind) && (change == Change.CREATED || change == Change.UPDATED);
    }

    /** The {@code memory.playbook} observation of such a version. */
    public java.util.Map<String, Object> playbookObservation() {
        java.util.Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("memory_id", id);
        p.put("version", version);
        p.put("role", role);
        p.put("text", text);
        p.put("playbook", playbook);
        p.put("metadata", metadata);
        return p;
    }

    /** Whether the fact holds at world time {@code t}: {@code valid_from <= t < valid_to} (never, when they are equal). */
    public boolean validAt(Instant t) {
        return !validFrom.isAfter(t) && (validTo == null || t.isBefore(validTo));
    }

    /** The next version of this memory: the same content, recorded at {@code at}, made by {@code change}. */
    Version next(Change change, Instant at) {
        return new Version(id, version + 1, change, kind, text, role, scope, user, metadata, playbook, validFrom, validTo,
                at, null, supersededBy, null);
    }

    /** This version made to hold again from its {@code valid_from} on: no {@code valid_to}, no longer superseded. */
    Version reopened(String why) {
        return new Version(id, version, Change.REOPENED, kind, text, role, scope, user, metadata, playbook, validFrom, null,
                recordedAt, supersedes, null, why);
    }

    Version withContent(String text, String role, String scope, String user, JsonNode metadata, JsonNode playbook) {
        return new Version(id, version, change, kind, text, role, scope, user, metadata, playbook, validFrom, validTo,
                recordedAt, supersedes, supersededBy, reason);
    }

    Version withValidity(Instant from, Instant to) {
        return new Version(id, version, change, kind, text, role, scope, user, metadata, playbook, from, to, recordedAt,
                supersedes, supersededBy, reason);
    }

    Version supersededBy(String by) {
        return new Version(id, version, change, kind, text, role, scope, user, metadata, playbook, validFrom, validTo,
                recordedAt, supersedes, by, reason);
    }
}
