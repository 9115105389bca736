package dev.lakehouse.journald;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.journald.Journal;
import dev.lakehouse.journald.JournaldRoutes;

/** journald (4224): the append-only, hash-chained audit journal. See docs/journal.md. */
public final class JournaldMain {
    private JournaldMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(JournaldConfig.from(env), env).start();
    }

    /** journald, wired; its segments load after the server starts (/ready is 503 until then). */
    static DaemonServer.Builder builder(JournaldConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.JOURNALD, env).maxBodyBytes(JournaldConfig.MAX_BODY_BYTES);
        Journal journal = new Journal(builder.dataDir().resolve("segments"), config.segmentBytes(), builder.metrics().registry());
        return builder.routing(r -> r.register("/v1/journal", new JournaldRoutes(journal)))
                .erasures("/v1/journal/erasures", e -> journal.erase(e.subject(), e.erasureId()))
                .readiness("journal", journal::readiness)
                .onStop("journal", journal::close)
                .afterStart("journal", journal::load);
    }
}
