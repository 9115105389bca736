package dev.lakehouse.matrixd;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.common.PeerGate;
import dev.lakehouse.matrixd.client.ChatdClient;
import dev.lakehouse.matrixd.client.EmbeddClient;
import dev.lakehouse.matrixd.client.VectordClient;

/** matrixd (4219): one retrieval over many corpora, with attribution and the cross-role gate. See docs/matrixd.md. */
public final class MatrixdMain {
    private MatrixdMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(MatrixdConfig.from(env), env).start();
    }

    /** matrixd, wired; its corpus registry loads after the server starts (/ready is 503 until then). */
    static DaemonServer.Builder builder(MatrixdConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.MATRIXD, env).maxBodyBytes(MatrixdConfig.MAX_BODY_BYTES);
        CorpusRegistry registry = new CorpusRegistry(builder.dataDir());
        Observer observer = builder.observer();
        PeerClient embeddPeer = PeerClient.forDaemon(DaemonId.EMBEDD, env, PeerClient.Options.defaults().withReadTimeout(config.embedTimeout()));
        EmbeddClient embedd = new EmbeddClient(embeddPeer);
        PeerGate embeddReady = PeerGate.start(embeddPeer);
        VectordClient vectord = new VectordClient(config.searchTimeout(), config.vectords(), env.internalToken().orElse(null));
        RoleGate gate = RoleGate.standard();
        ChatdClient chatd = new ChatdClient(builder.peer(DaemonId.CHATD, config.roleLlmTimeout()));
        RoleResolver roles = new RoleResolver(RoleExtractor.standard(), gate, config.roleLlm() ? chatd::ask : null);
        Matrix matrix = new Matrix(registry, embedd, vectord, gate, roles, observer, config.searchTimeout());
        Ingest ingest = new Ingest(builder.dataDir(), registry, embedd, new VectordClient(config.writeTimeout(), config.vectords(), env.internalToken().orElse(null)),
                new Chunker(config.chunkChars(), config.chunkOverlap()));
        return builder.routing(r -> r.register("/v1/matrix", new MatrixdRoutes(registry, matrix, ingest)))
                .erasures("/v1/matrix/erasures", e -> ingest.erase(e.subject(), roles))
                .readiness("corpora", registry::readiness)
                .readiness("jobs", ingest::readiness)
                // every retrieve and ingest embeds: not ready while embedd loads its model (vectord shards that do not
                // answer leave a retrieve partial, flagged, not failed: docs/matrixd.md)
                .readiness("embedd", embeddReady::readiness)
                .onStop("embedd-gate", embeddReady::close)
                .onStop("retrievals", matrix::close)
                .onStop("ingest", ingest::close)
                .afterStart("corpora", () -> {
                    registry.load();
                    ingest.load();   // unfinished ingest jobs run again
                });
    }
}
