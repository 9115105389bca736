package dev.lakehouse.it.kit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.lakehouse.it.harness.ManagedDaemon;

/**
 * The kill -9 test of a durable daemon: writers keep writing while the daemon is killed,
 * and what it acknowledged is what must be there after the restart.
 */
public final class BusyWriters {
    /** One write: its acknowledged key and value, or null when the daemon did not acknowledge it. */
    @FunctionalInterface
    public interface Write {
        Map.Entry<String, String> write(int writer, int n) throws Exception;
    }

    private BusyWriters() {
    }

    /**
     * Runs {@code writers} threads of {@code write} until at least {@code acknowledged} writes are acknowledged,
     * kills the daemon with -9 (its exit status must be 137) while they go on, waits for them to stop, and
     * returns every acknowledged key and value. A write that fails in transport was never acknowledged.
     */
    public static Map<String, String> killDuring(ManagedDaemon daemon, int writers, int acknowledged, Write write) throws Exception {
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            pool.submit(() -> {
                for (int n = 0; !stop.get(); n++) {
                    try {
                        Map.Entry<String, String> e = write.write(writer, n);
                        if (e != null) {
                            acked.put(e.getKey(), e.getValue());
                        }
                    } catch (Exception e) {
                        // the daemon died mid-call: that write was never acknowledged
                    }
                }
                return null;
            });
        }
        while (acked.size() < acknowledged) {
            Thread.sleep(10);
        }
        int status = daemon.kill9();
        stop.set(true);
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the writers did not stop");
        }
        if (status != 137) {
            throw new AssertionError(daemon.name() + " exited " + status + " on kill -9, not 137");
        }
        return Map.copyOf(acked);
    }
}
