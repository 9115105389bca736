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
        GatewayConfig config = GatewayConfig.from(env);
        ApiKeys keys = config.keysFile().map(ApiKeys::load).orElse(null);
        DaemonServer.Builder builder = DaemonServer.builder("gateway", env, DaemonId.GATEWAY.defaultPort())
                .maxBodyBytes(32L << 20);
        Gateway gateway = new Gateway(config, env, keys, builder.metrics().registry());
        builder.routing(r -> r.register("/v1", new GatewayRoutes(gateway))).start();
        if (keys == null) {
            LOG.warning("NO API KEYS: LAKEHOUSE_API_KEYS_FILE is not set, so every /v1 route is open to anyone who can reach "
                    + "this port, with no rate limit. Set it before exposing the gateway.");
        } else {
            LOG.info(keys.size() + " API keys loaded from " + config.keysFile().get());
        }
    }
}
