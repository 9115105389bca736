package dev.lakehouse.truthd;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Observer;
import dev.lakehouse.truthd.Claims;
import dev.lakehouse.truthd.TruthdRoutes;

/** truthd (4221): claims from many sources reconciled, with provenance, conflicts and learned source trust. See docs/truthd.md. */
public final class TruthdMain {
    private TruthdMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(TruthdConfig.from(env), env).start();
    }

    /** truthd, wired; the claim log replays after the server starts (/ready is 503 until then). */
    static DaemonServer.Builder builder(TruthdConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.TRUTHD, env).maxBodyBytes(TruthdConfig.MAX_BODY_BYTES);
        Observer observer = builder.observer();
        Claims claims = new Claims(builder.dataDir(), config.policy(), observer, builder.metrics().registry());
        return builder.routing(r -> r.register("/v1/truth", new TruthdRoutes(claims, config.maxSkew())))
                .erasures("/v1/truth/erasures", e -> claims.erase(e.subject(), e.erasureId()))
                .readiness("claims", claims::readiness)
                .onStop("claims", claims::close)
                .afterStart("claims", () -> {
                    claims.load();
                    claims.estimateTrustEvery(config.trustInterval());
                });
    }
}
