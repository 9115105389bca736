package dev.lakehouse.journald;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;

/** A journald in this process for the tests of its peers: its main's builder stays package-private. */
public final class EmbeddedJournald {
    private EmbeddedJournald() {
    }

    public static DaemonServer start(EnvConfig env) {
        return JournaldMain.builder(JournaldConfig.from(env), env).embedded().start();
    }
}
