package dev.lakehouse.pathwayd;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A memory: its versions, oldest first, numbered from 1 and recorded in increasing
 * {@code recorded_at}. Immutable; {@link #with} returns the memory with one more version.
 */
public record Memory(String id, List<Version> versions) {
    public Memory {
        versions = List.copyOf(versions);
    }

    static Memory first(Version v) {
        return new Memory(v.id(), List.of(v));
    }

    Memory with(Version v) {
        List<Version> next = new ArrayList<>(versions.size() + 1);
        next.addAll(versions);
        next.add(v);
        return new Memory(id, next);
    }

    public Version latest() {
        return versions.get(versions.size() - 1);
    }

    /** The version pathwayd held at system time {@code asOf} (the last one recorded by then), or null: not yet known. */
    public Version at(Instant asOf) {
        int lo = 0;
        int hi = versions.size() - 1;
        Version found = null;
        while (lo <= hi) {   // versions are in recorded_at order
            int mid = (lo + hi) >>> 1;
            if (versions.get(mid).recordedAt().isAfter(asOf)) {
                hi = mid - 1;
            } else {
                found = versions.get(mid);
                lo = mid + 1;
            }
        }
        return found;
    }

    /** When version {@code n} (1-based) was replaced: the next version's {@code recorded_at}; null for the latest. */
    public Instant supersededAt(int n) {
        return n < versions.size() ? versions.get(n).recordedAt() : null;
    }

    /** The memories this one closed when it was created. */
    public List<String> supersedes() {
        List<String> s = versions.get(0).supersedes();
        return s == null ? List.of() : s;
    }

    /** The memories that closed this one, in the order they did. */
    public List<String> supersededBy() {
        LinkedHashSet<String> by = new LinkedHashSet<>();
        versions.stream().filter(v -> v.change() == Version.Change.SUPERSEDED).forEach(v -> by.add(v.supersededBy()));
        return List.copyOf(by);
    }
}
