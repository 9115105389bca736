package dev.lakehouse.truthd;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;

/** A truthd in this process for the tests of its peers (validatord's): its main's builder stays package-private. */
public final class EmbeddedTruthd {
    private EmbeddedTruthd() {
    }

    public static DaemonServer start(EnvConfig env) {
        return TruthdMain.builder(TruthdConfig.from(env), env).embedded().start();
    }
}
