package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class PeriodicTest {
    @Test
    void every_runsAgainAfterARunThatThrew_andNotAfterClose() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        Periodic p = Periodic.every("test-periodic", Duration.ofMillis(5), () -> {
            runs.incrementAndGet();
            three.countDown();
            if (runs.get() == 1) {
                throw new IllegalStateException("the first run fails");
            }
        });
        assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
        p.close();
        int after = runs.get();
        Thread.sleep(50);   // not a timing assertion: no run may start once close returned, however long we wait
        assertThat(runs.get()).isEqualTo(after);
    }

    @Test
    void aZeroInterval_runsOnlyWhatIsAskedNow() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch once = new CountDownLatch(1);
        try (Periodic p = Periodic.every("test-zero", Duration.ZERO, runs::incrementAndGet)) {
            p.runNow(() -> {
                runs.incrementAndGet();
                once.countDown();
            });
            assertThat(once.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void closeWithZeroWait_interruptsARunUnderWay() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Periodic p = Periodic.every("test-interrupt", Duration.ofMillis(1), () -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        p.close(Duration.ZERO);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }
}
