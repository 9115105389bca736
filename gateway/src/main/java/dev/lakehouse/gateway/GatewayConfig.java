package dev.lakehouse.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.EnvConfig;

/**
 * The gateway's settings (docs/gateway.md), each from its environment variable.
 *
 * @param keysFile        {@code LAKEHOUSE_API_KEYS_FILE}; absent: no keys, open (one loud warning at start)
 * @param ratePerSecond   {@code GATEWAY_RATE_PER_KEY}, default 100 requests/s per key; 0 disables
 * @param rateBurst       {@code GATEWAY_RATE_BURST}, default 200
 * @param timeouts        per scope: {@code GATEWAY_TIMEOUT} (30s) for all, {@code GATEWAY_TIMEOUT_<SCOPE>} each; chat 300s
 * @param connectTimeout  {@code GATEWAY_CONNECT_TIMEOUT}, default 1s
 * @param breakerFailures {@code GATEWAY_BREAKER_FAILURES}, default 5 consecutive failures open a daemon's breaker
 * @param breakerOpenFor  {@code GATEWAY_BREAKER_OPEN}, default 2s before a probe is let through
 * @param statusTimeout   {@code GATEWAY_STATUS_TIMEOUT}, default 1s per probe of /v1/status
 * @param daemons         {@code GATEWAY_DAEMONS}, the daemons this deployment runs (default all eleven): /v1/status judges by them
 * @param routesFile      {@code LAKEHOUSE_ROUTES_FILE}, the cutover table (docs/cutover.md); absent: every route served locally
 * @param bufferBudget    {@code GATEWAY_BUFFER_BUDGET_MIB}, default 32: the bytes of bodies held whole at once ({@link BufferBudget})
 * @param metricsInterval {@code GATEWAY_METRICS_INTERVAL}, default 5s (100ms to 5m): how often the console's charts are sampled ({@link MetricsHistory})
 * @param routesWatch     {@code GATEWAY_ROUTES_WATCH}, default 2s (0: off): how often the routes file is checked for a new table
 * @param replica         {@code GATEWAY_REPLICA}, default {@code <host name>/<pid>}: this gateway's name in journal entries and status
 * @param diffWindow      {@code GATEWAY_DIFF_WINDOW}, default 60s: the window of shadow differences' samples ({@link DiffSampler})
 * @param diffSamples     {@code GATEWAY_DIFF_SAMPLES}, default 10: differences per route and window journaled whole
 * @param dataDir         {@code LAKEHOUSE_DATA_DIR}/gateway: the cutover journal spool, the last journaled table version, the erasure jobs
 * @param erasureTimeout  {@code GATEWAY_ERASURE_TIMEOUT}, default 10m: how long one daemon's purge may take ({@link Erasures})
 * @param erasureParallel {@code GATEWAY_ERASURE_PARALLEL}, default 1 (1 to 16): daemons purging at once in one erasure job
 */
record GatewayConfig(Optional<Path> keysFile, double ratePerSecond, double rateBurst, Map<String, Duration> timeouts,
                     Duration connectTimeout, int breakerFailures, Duration breakerOpenFor, Duration statusTimeout,
                     List<DaemonId> daemons, Optional<Path> routesFile, long bufferBudget, Duration metricsInterval,
                     Duration routesWatch, String replica, Duration diffWindow, int diffSamples, Path dataDir,
                     Duration erasureTimeout, int erasureParallel) {
    /** Default body limit: the largest a routed daemon accepts passes through (the operator's {@code GATEWAY_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 32L << 20;


    static GatewayConfig from(EnvConfig env) {
        Duration base = env.duration("GATEWAY_TIMEOUT", Duration.ofSeconds(30));
        Map<String, Duration> timeouts = RouteTable.SCOPES.stream().collect(Collectors.toUnmodifiableMap(s -> s,
                s -> env.duration("GATEWAY_TIMEOUT_" + s.toUpperCase(Locale.ROOT), s.equals("chat") ? Duration.ofSeconds(300) : base)));
        List<DaemonId> daemons = env.get("GATEWAY_DAEMONS")
                .map(v -> Arrays.stream(v.split("\\s*,\\s*")).map(n -> DaemonId.byName(n).orElseThrow(() -> new ConfigException(
                        "GATEWAY_DAEMONS names an unknown daemon '" + n + "'"))).toList())
                .orElse(List.of(DaemonId.values()));
        return new GatewayConfig(env.get("LAKEHOUSE_API_KEYS_FILE").map(Path::of),
                env.integer("GATEWAY_RATE_PER_KEY", 100, 0, 1_000_000),
                env.integer("GATEWAY_RATE_BURST", 200, 1, 10_000_000),
                timeouts,
                env.duration("GATEWAY_CONNECT_TIMEOUT", Duration.ofSeconds(1)),
                env.integer("GATEWAY_BREAKER_FAILURES", 5, 1, 1000),
                env.duration("GATEWAY_BREAKER_OPEN", Duration.ofSeconds(2)),
                env.duration("GATEWAY_STATUS_TIMEOUT", Duration.ofSeconds(1)),
                daemons, env.get("LAKEHOUSE_ROUTES_FILE").map(Path::of),
                env.integer("GATEWAY_BUFFER_BUDGET_MIB", 32, 1, 4096) * (1L << 20),
                metricsInterval(env),
                env.duration("GATEWAY_ROUTES_WATCH", Duration.ofSeconds(2)),
                env.get("GATEWAY_REPLICA").orElseGet(GatewayConfig::hostAndPid),
                env.duration("GATEWAY_DIFF_WINDOW", Duration.ofSeconds(60)),
                env.integer("GATEWAY_DIFF_SAMPLES", 10, 0, 10_000),
                env.dataDir(DaemonId.GATEWAY.daemonName()),
                env.duration("GATEWAY_ERASURE_TIMEOUT", Duration.ofMinutes(10)),
                env.integer("GATEWAY_ERASURE_PARALLEL", 1, 1, 16));
    }

    private static String hostAndPid() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    private static Duration metricsInterval(EnvConfig env) {
        Duration d = env.duration("GATEWAY_METRICS_INTERVAL", Duration.ofSeconds(5));
        if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException("GATEWAY_METRICS_INTERVAL must be between 100ms and 5m, not " + d);
        }
        return d;
    }
}
