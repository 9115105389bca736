package dev.lakehouse.common;

import java.time.Instant;

/**
 * Where one writer's log stands — the sequence number and record time of its last entry — and how a group of writes
 * moves it (truthd's claims, pathwayd's memories): a {@link Group} hands out the next numbers and strictly increasing
 * record times (one microsecond past the last when the clock stands still or goes back), and the position moves only
 * when the group's entries were appended ({@link Group#commit}); a group whose append threw leaves it where it was.
 * Not thread-safe: the writer thread's, after load.
 */
public final class LogPosition {
    private long seq;
    private Instant at = Instant.EPOCH;

    /** While loading: the entry just replayed. */
    public void replayed(long entrySeq, Instant entryAt) {
        seq = entrySeq;
        at = entryAt;
    }

    public long seq() {
        return seq;
    }

    /** A group of writes starting at the current position. */
    public Group group() {
        return new Group();
    }

    /** A group's tentative advance of the position. */
    public final class Group {
        private long next = seq;
        private Instant last = at;

        /** The record time of the group's next entry: now, or just after the last entry's when the clock has not moved on. */
        public Instant now() {
            Instant now = Instant.now();
            return now.isAfter(last) ? now : last.plusNanos(1_000);
        }

        /** The sequence number of an entry recorded at {@code when} (from {@link #now}). */
        public long add(Instant when) {
            last = when;
            return ++next;
        }

        /** The group's entries are appended: the log stands at its last one. */
        public void commit() {
            seq = next;
            at = last;
        }
    }
}
