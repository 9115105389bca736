package dev.lakehouse.gateway;

import java.util.logging.Logger;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;

/** gateway (4200): the only public door. See docs/gateway.md. */
public final class GatewayMain {
    private static final Logger LOG = Logger.getLogger(GatewayMain.class.getName());


    private GatewayMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(GatewayConfig.from(env), env).start();
    }

    /** The gateway, wired: its keys are read before it listens (a bad key file stops the start). */
    static DaemonServer.Builder builder(GatewayConfig config, EnvConfig env) {
        ApiKeys keys = config.keysFile().map(ApiKeys::load).orElse(null);
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.GATEWAY, env).maxBodyBytes(GatewayConfig.MAX_BODY_BYTES);
        Gateway gateway = new Gateway(config, env, keys, builder.metrics().registry(), builder.metrics()::scrape);
        gateway.cutover().reloadOnHangup();
        return builder.routing(r -> r.register("/v1", new GatewayRoutes(gateway)).register("/admin", new AdminRoutes(gateway))
                        .register("/console", new ConsoleRoutes(gateway)))
                .afterStart("keys", () -> {
                    if (keys == null) {
                        LOG.warning("NO API KEYS: LAKEHOUSE_API_KEYS_FILE is not set, so every /v1 route is open to anyone who "
                                + "can reach this port, with no rate limit. Set it before exposing the gateway.");
                    } else {
                        LOG.info(keys.size() + " API keys loaded from " + config.keysFile().get());
                    }
                });
    }
}
