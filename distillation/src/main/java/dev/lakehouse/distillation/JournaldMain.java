package dev.lakehouse.distillation;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.distillation.journald.Journal;
import dev.lakehouse.distillation.journald.JournalRoutes;

/** journald (4224): the append-only, hash-chained audit journal. See docs/journal.md. */
public final class JournaldMain {
    private JournaldMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        DaemonServer.Builder builder = DaemonServer.builder("journald", env, DaemonId.JOURNALD.defaultPort())
                .maxBodyBytes(1L << 20);
        Journal journal = new Journal(builder.dataDir().resolve("segments"),
                env.bytes("JOURNALD_SEGMENT_BYTES", 64L << 20), builder.metrics().registry());
        builder.routing(r -> r.register("/v1/journal", new JournalRoutes(journal)))
                .readiness("journal", journal::readiness)
                .onStop("journal", journal::close)
                .start();
        journal.load();
    }
}
