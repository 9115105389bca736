package dev.lakehouse.pathwayd;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.matrixd.client.EmbeddClient;
import dev.lakehouse.matrixd.client.VectordClient;
import dev.lakehouse.pathwayd.Memories;
import dev.lakehouse.pathwayd.MemoryIndex;
import dev.lakehouse.pathwayd.PathwaydRoutes;
import dev.lakehouse.pathwayd.Version;

/** pathwayd (4222): versioned, bi-temporal memories and playbooks, with semantic search. See docs/pathwayd.md. */
public final class PathwaydMain {
    private PathwaydMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(PathwaydConfig.from(env), env).start();
    }

    /** pathwayd, wired; the log replays after the server starts (/ready is 503 until then), then the indexer starts. */
    static DaemonServer.Builder builder(PathwaydConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.PATHWAYD, env).maxBodyBytes(PathwaydConfig.MAX_BODY_BYTES);
        Memories memories = new Memories(builder.dataDir().resolve("memories"), builder.metrics().registry());
        EmbeddClient embedd = new EmbeddClient(PeerClient.forDaemon(DaemonId.EMBEDD, env,
                PeerClient.Options.defaults().withReadTimeout(config.embedTimeout())));
        Observer observer = builder.observer();
        memories.onCommitted(e -> e.versions().stream().filter(Version::playbookWritten).forEach(v -> observer.observe(
                "memory.playbook", v.playbookObservation())));
        MemoryIndex index = new MemoryIndex(builder.dataDir(), config.index(), env.peerUrl(DaemonId.VECTORD), embedd,
                new VectordClient(config.searchTimeout(),
                dev.lakehouse.matrixd.client.VectordAllowlist.of(env.peerUrl(DaemonId.VECTORD)), env.internalToken().orElse(null)), memories, builder.metrics().registry());
        PurgeJournal purges = new PurgeJournal(builder.dataDir(), PeerClient.forDaemon(DaemonId.JOURNALD, env,
                PeerClient.Options.defaults()), memories);
        PathwaydRoutes routes = new PathwaydRoutes(memories, index, config.indexWait());
        return builder.routing(r -> r.register("/v1/memory", routes))
                .erasures("/v1/memory/erasures", routes::erase)
                .onStop("purge-journal", purges::close)
                .readiness("memories", memories::readiness)
                .readiness("index", index::readiness)
                .onStop("memories", memories::close)
                .onStop("indexer", index::close)
                .afterStart("memories", () -> {
                    memories.load();
                    index.start();
                });
    }
}
