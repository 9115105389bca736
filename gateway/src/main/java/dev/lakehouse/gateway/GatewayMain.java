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

    /**
     * The gateway, wired: its keys are read before it listens (a bad key file stops the start); without keys it is
     * open, and then it listens on a loopback address only.
     */
    static DaemonServer.Builder builder(GatewayConfig config, EnvConfig env) {
        ApiKeys keys = config.keysFile().map(ApiKeys::load).orElse(null);
        if (keys == null) {
            requireLoopback(env.bind());
        }
        // chatd enforces the budgets; the gateway, which knows the keys, refuses a file that budgets a key no one holds
        env.get("LAKEHOUSE_BUDGETS_FILE").map(java.nio.file.Path::of).ifPresent(f -> dev.lakehouse.common.Budgets.load(f)
                .requireKeys(keys == null ? java.util.Set.of("anonymous") : keys.names(), "LAKEHOUSE_BUDGETS_FILE " + f));
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.GATEWAY, env).maxBodyBytes(GatewayConfig.MAX_BODY_BYTES);
        Gateway gateway = new Gateway(config, env, keys, builder.metrics().registry(), builder.metrics()::scrape);
        gateway.cutover().reloadOnHangup();
        Erasures erasures = new Erasures(config.dataDir(), env, config.daemons(), config.erasureTimeout(), config.erasureParallel());
        return builder.routing(r -> r.register("/v1", new GatewayRoutes(gateway, erasures)).register("/admin", new AdminRoutes(gateway))
                        .register("/console", new ConsoleRoutes(gateway)))
                .onStop("cutover", gateway.cutover()::close)
                .onStop("erasures", erasures::close)
                .afterStart("erasures", erasures::start)
                .afterStart("keys", () -> {
                    if (keys == null) {
                        LOG.warning("NO API KEYS: LAKEHOUSE_API_KEYS_FILE is not set, so every /v1 and /admin route is open to "
                                + "anyone on this machine, with no rate limit; the gateway listens on " + env.bind()
                                + " (loopback) only. Set it before exposing the gateway.");
                    } else {
                        LOG.info(keys.size() + " API keys loaded from " + config.keysFile().get().getFileName());
                    }
                });
    }

    /**
     * An open gateway (no keys) must not be reachable from elsewhere: {@code LAKEHOUSE_BIND} must name a loopback
     * address ({@code 127.0.0.1}, {@code ::1}, {@code localhost}); a wildcard or another interface fails the start.
     */
    static void requireLoopback(String bind) {
        boolean loopback;
        try {
            loopback = java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new dev.lakehouse.common.ConfigException("LAKEHOUSE_API_KEYS_FILE is not set and LAKEHOUSE_BIND=" + bind
                    + " is not a loopback address: a gateway without API keys is open to every caller, so it listens on "
                    + "loopback only. Set LAKEHOUSE_API_KEYS_FILE (docs/gateway.md, \"Keys\"), or LAKEHOUSE_BIND=127.0.0.1.");
        }
    }
}
