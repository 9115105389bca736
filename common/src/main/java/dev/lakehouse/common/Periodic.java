package dev.lakehouse.common;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A task run every interval on a platform thread of its own, owned by the component it serves — vectord's index
 * registry snapshots, truthd's claims re-estimate trust, the gateway's metrics history samples — which starts it and
 * stops it in its own {@code close()}. A run that throws is logged and the schedule goes on; after {@link #close}
 * returns no run starts, and one under way has finished (or {@code wait} has passed, then it is interrupted).
 */
public final class Periodic implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Periodic.class.getName());
    private final String name;
    private final ScheduledExecutorService timer;

    private Periodic(String name, ScheduledExecutorService timer) {
        this.name = name;
        this.timer = timer;
    }

    /** Runs {@code task} every {@code every}, the first time after one interval; a zero interval runs nothing. */
    public static Periodic every(String name, Duration every, Runnable task) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon(true).factory());
        Periodic p = new Periodic(name, timer);
        long ms = every.toMillis();
        if (ms > 0) {
            timer.scheduleWithFixedDelay(p.guarded(task), ms, ms, TimeUnit.MILLISECONDS);
        }
        return p;
    }

    /** Runs {@code task} once now, on the task's thread (after a run under way). */
    public void runNow(Runnable task) {
        if (!timer.isShutdown()) {
            timer.execute(guarded(task));
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, name + ": a periodic run failed", e);
            }
        };
    }

    /** No run after this; one under way may finish within {@code wait} (zero: it is interrupted at once). */
    public void close(Duration wait) {
        if (wait.isZero()) {
            timer.shutdownNow();   // a run under way is interrupted: the owner does not need its result
            return;
        }
        timer.shutdown();
        try {
            if (!timer.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning(name + ": a periodic run is still going after " + wait.toSeconds() + " s; interrupting it");
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
