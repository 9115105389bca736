package dev.lakehouse.common;

import java.util.logging.Level;
import java.util.logging.Logger;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT run a stop action and then exit with status 0 (the JVM's
 * default for SIGTERM is 143, which systemd and {@code bin/lakehouse down} would
 * read as a failure). A JVM shutdown hook runs the same action for any other exit.
 */
final class Signals {
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private Signals() {
    }

    static void onTermination(Runnable stop) {
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "lakehouse-shutdown"));
        for (String name : new String[] {"TERM", "INT"}) {
            // The JVM runs signal handlers on a daemon thread: once Helidon's listener
            // thread ends, nothing would keep the JVM alive through the drain and the
            // flush hooks. The stop therefore runs on a non-daemon thread of its own.
            Signal.handle(new Signal(name), signal -> {
                Thread stopper = new Thread(() -> {
                    try {
                        stop.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.SEVERE, "graceful stop failed", e);
                        Runtime.getRuntime().halt(1);
                    }
                    System.exit(0);
                }, "lakehouse-stop-" + signal.getName());
                stopper.setDaemon(false);
                stopper.start();
            });
        }
    }
}
