package dev.lakehouse.distilld;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.distilld.Audits;
import dev.lakehouse.distilld.DistilldRoutes;
import dev.lakehouse.distilld.ReplayPeers;
import dev.lakehouse.distilld.Runs;

/** distilld (4225): observations → evidence → scores → SFT, RAG and preference datasets. See docs/distilld.md. */
public final class DistilldMain {
    private DistilldMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(DistilldConfig.from(env), env).start();
    }

    /** distilld, wired. */
    static DaemonServer.Builder builder(DistilldConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.DISTILLD, env).maxBodyBytes(DistilldConfig.MAX_BODY_BYTES);
        Runs runs = new Runs(builder.dataDir(), config.observations(), config.threads(), config.flagged(), config.roster());
        Audits audits = new Audits(builder.dataDir(), new ReplayPeers(env.peerUrl(DaemonId.CHATD), env.peerUrl(DaemonId.VALIDATORD),
                config.replayTimeout(), env.internalToken().orElse(null)));
        return builder.routing(r -> r.register("/v1/distill", new DistilldRoutes(runs, audits)))
                .erasures("/v1/distill/erasures", e -> runs.whileIdle(() -> audits.whileIdle(() ->
                        Erasure.erase(builder.dataDir(), e.subject(), e.erasureId()))))
                .onStop("runs", runs::close)
                .onStop("replays and audits", audits::close);
    }
}
