package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class LogPositionTest {
    @Test
    void aGroup_movesThePositionOnlyWhenCommitted_withStrictlyIncreasingTimes() {
        LogPosition p = new LogPosition();
        Instant future = Instant.now().plusSeconds(3_600);   // a log written by a clock an hour ahead
        p.replayed(41, future);
        LogPosition.Group g = p.group();
        Instant t1 = g.now();
        assertThat(t1).isAfter(future);   // the clock stands behind the log: one microsecond past its last entry
        assertThat(g.add(t1)).isEqualTo(42);
        Instant t2 = g.now();
        assertThat(t2).isAfter(t1);
        assertThat(g.add(t2)).isEqualTo(43);
        assertThat(p.seq()).as("not committed: the append may still throw").isEqualTo(41);
        LogPosition.Group failed = p.group();
        assertThat(failed.add(failed.now())).as("a group after an uncommitted one starts where the log stands").isEqualTo(42);
        g.commit();
        assertThat(p.seq()).isEqualTo(43);
        LogPosition.Group next = p.group();
        assertThat(next.now()).isAfter(t2);
        assertThat(next.add(next.now())).isEqualTo(44);
    }
}
