package dev.lakehouse.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Meters;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the gateway knows and does apart from HTTP plumbing: the upstreams, the
 * keys, the rate limiter, the status of every daemon, and the merged model list.
 */
final class Gateway {
    private final GatewayConfig config;
    private final Map<DaemonId, Upstream> upstreams = new EnumMap<>(DaemonId.class);
    private final ApiKeys keys;          // null: open
    private final RateLimiter limiter;   // null: no limit
    private final Meters meters;
    private final Cutover cutover;
    private final BufferBudget buffers;
    private final MetricsHistory history;

    /** @param ownMetrics the gateway's own Prometheus text, for its row of the console's charts */
    Gateway(GatewayConfig config, EnvConfig env, ApiKeys keys, MeterRegistry registry, java.util.function.Supplier<String> ownMetrics) {
        this.config = config;
        this.keys = keys;
        this.meters = new Meters(registry);
        this.buffers = new BufferBudget(config.bufferBudget());
        registry.gauge("gateway.buffered.bytes", buffers, BufferBudget::used);
        io.micrometer.core.instrument.FunctionCounter.builder("gateway.buffer.refusals", buffers, BufferBudget::refused)
                .description("bodies streamed, or shadows not copied, because the buffer budget was full").register(registry);
        this.cutover = new Cutover(config.routesFile().orElse(null), config, meters, buffers, config.routesFile().isEmpty() ? null
                : dev.lakehouse.common.PeerClient.forDaemon(DaemonId.JOURNALD, env, dev.lakehouse.common.PeerClient.Options.defaults()
                        .withRetries(0, java.time.Duration.ofMillis(50)).withReadTimeout(java.time.Duration.ofSeconds(5))), config.dataDir());
        this.limiter = keys != null && config.ratePerSecond() > 0
                ? new RateLimiter(config.ratePerSecond(), config.rateBurst(), System::nanoTime) : null;
        for (DaemonId d : DaemonId.values()) {
            if (d != DaemonId.GATEWAY) {
                upstreams.put(d, new Upstream(d.daemonName(), env.peerUrl(d), config, meters, buffers, env.internalToken().orElse(null)));
            }
        }
        Map<String, java.util.function.Supplier<String>> sources = new LinkedHashMap<>();
        sources.put(DaemonId.GATEWAY.daemonName(), ownMetrics);
        config.daemons().stream().filter(d -> d != DaemonId.GATEWAY)
                .forEach(d -> sources.put(d.daemonName(), MetricsHistory.scrape(upstreams.get(d), config.statusTimeout())));
        this.history = new MetricsHistory(sources, config.metricsInterval(), System::currentTimeMillis);
    }

    /** The console's charts: the last minutes of every daemon's rates and p99 ({@code GET /v1/status/metrics}). */
    MetricsHistory history() {
        return history;
    }

    GatewayConfig config() {
        return config;
    }

    Cutover cutover() {
        return cutover;
    }

    BufferBudget buffers() {
        return buffers;
    }

    Upstream upstream(DaemonId d) {
        return upstreams.get(d);
    }

    /**
     * Who is calling, from the {@code Authorization} header, checked against the
     * route's scope and the caller's rate limit. Open gateways answer "anonymous".
     */
    ApiKeys.Caller admit(String authorization, RouteTable.Route route) {
        ApiKeys.Caller caller = identify(authorization);
        // the key checked here, never a header the client sent, is who the request is for, down every daemon it reaches
        dev.lakehouse.common.RequestContext.origin(caller.name(), route.prefix());
        if (keys == null) {
            return caller;
        }
        if (!caller.allows(route.scope())) {
            authFailure("forbidden_scope");
            throw new ApiException.BadRequest(403, "forbidden_scope", "key '" + caller.name() + "' may not use scope '"
                    + route.scope() + "' (" + route.prefix() + "); its scopes: " + caller.scopes(), Map.of());
        }
        if (limiter != null) {
            // a shadow copy (X-Lakehouse-Shadow: 1) has a bucket of its own: it never takes the key's rate, nor exceeds it
            long wait = limiter.acquire(dev.lakehouse.common.RequestContext.shadow() ? caller.name() + " (shadow)" : caller.name());
            if (wait > 0) {
                meters.counter("gateway.rate.limited", "requests refused by the rate limit, by caller", "caller", caller.name())
                        .increment();
                throw new ApiException.BadRequest(429, "rate_limited", "key '" + caller.name() + "' is over its limit of "
                        + (long) config.ratePerSecond() + " requests/s (burst " + (long) config.rateBurst() + ")",
                        Map.of("Retry-After", Long.toString(wait)));
            }
        }
        return caller;
    }

    /** Who holds the key of the {@code Authorization} header (401 if none or unknown); open gateways answer "anonymous". */
    ApiKeys.Caller identify(String authorization) {
        if (keys == null) {
            return new ApiKeys.Caller("anonymous", Set.of("*"));
        }
        if (authorization == null || authorization.isBlank()) {
            throw rejected(401, "missing_api_key", "this route needs an API key: send 'Authorization: Bearer <key>'");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
            throw rejected(401, "malformed_authorization", "the Authorization header must be 'Bearer <key>'");
        }
        return keys.find(authorization.substring(7).strip())
                .orElseThrow(() -> rejected(401, "invalid_api_key", "the API key is not known"));
    }

    boolean open() {
        return keys == null;
    }

    private ApiException rejected(int status, String code, String detail) {
        authFailure(code);
        return new ApiException.BadRequest(status, code, detail, Map.of("WWW-Authenticate", "Bearer"));
    }

    /** {@code GET /v1/status}: {@code UP} when every daemon is up and ready, {@code DOWN} when none is, else {@code DEGRADED}. */
    record Status(String status, int up, int expected, Map<String, DaemonStatus> daemons) {
    }

    /** One daemon's probe: health ({@code UP}, {@code DOWN}, {@code HTTP n}), readiness and why not, the breaker, its resident memory. */
    record DaemonStatus(String url, double latencyMs, String health, String ready, String error, String version, Long uptimeS,
                        Long rssBytes, JsonNode checks, String breaker) {
    }

    /** Every daemon's health and readiness, probed in parallel. */
    Status status() {
        Map<String, DaemonStatus> daemons = new LinkedHashMap<>();
        int up = 0;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<DaemonId, Future<DaemonStatus>> probes = new LinkedHashMap<>();
            for (DaemonId d : config.daemons()) {
                if (d != DaemonId.GATEWAY) {
                    probes.put(d, pool.submit(() -> probe(upstreams.get(d))));
                }
            }
            for (var p : probes.entrySet()) {
                DaemonStatus result = join(p.getValue());
                daemons.put(p.getKey().daemonName(), result);
                if ("UP".equals(result.health()) && "READY".equals(result.ready())) {
                    up++;
                }
            }
        }
        return new Status(up == daemons.size() ? "UP" : up == 0 ? "DOWN" : "DEGRADED", up, daemons.size(), daemons);
    }

    private DaemonStatus probe(Upstream u) {
        String url = u.base().toString();
        Upstream.Probe health = u.get("/health", config.statusTimeout());
        double latency = Math.round(health.ms() * 100) / 100.0;
        if (health.error() != null) {
            return new DaemonStatus(url, latency, "DOWN", "DOWN", health.error(), null, null, null, null, u.breakerState().name());
        }
        String version = null;
        Long uptime = null;
        Long rss = null;
        try {
            JsonNode h = Json.mapper().readTree(health.body());
            version = h.path("version").asText(null);
            uptime = h.path("uptime_s").isMissingNode() ? null : h.path("uptime_s").asLong();
            rss = h.path("rss_bytes").isIntegralNumber() ? h.path("rss_bytes").asLong() : null;
        } catch (IOException ignored) {
            // a health body we cannot read: the status code says enough
        }
        Upstream.Probe ready = u.get("/ready", config.statusTimeout());
        JsonNode checks = null;
        if (ready.status() != 200 && ready.body().length > 0) {
            try {
                checks = Json.mapper().readTree(ready.body()).path("checks");
            } catch (IOException ignored) {
                // no checks to show
            }
        }
        return new DaemonStatus(url, latency, health.status() == 200 ? "UP" : "HTTP " + health.status(),
                ready.status() == 200 ? "READY" : ready.error() != null ? "DOWN" : "NOT READY", null, version, uptime, rss, checks,
                u.breakerState().name());
    }

    /** The union of embedd's and chatd's models, each id once (the first daemon to name it wins). */
    ObjectNode models() {
        List<DaemonId> sources = List.of(DaemonId.EMBEDD, DaemonId.CHATD);
        List<Callable<Upstream.Probe>> calls = new ArrayList<>();
        sources.forEach(d -> calls.add(() -> upstreams.get(d).get("/v1/models", config.statusTimeout().multipliedBy(2))));
        ArrayNode data = JsonNodeFactory.instance.arrayNode();
        Set<String> seen = new LinkedHashSet<>();
        List<String> failed = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Upstream.Probe>> results = pool.invokeAll(calls);
            for (int i = 0; i < sources.size(); i++) {
                Upstream.Probe p = join(results.get(i));
                if (p.status() != 200) {
                    failed.add(sources.get(i).daemonName() + (p.error() != null ? " (" + p.error() + ")" : " (HTTP " + p.status() + ")"));
                    continue;
                }
                for (JsonNode m : Json.mapper().readTree(p.body()).path("data")) {
                    if (seen.add(m.path("id").asText())) {
                        data.add(m);
                    }
                }
            }
        } catch (IOException e) {
            throw new ApiException.UpstreamFailed(null, false, "upstream_failed", "a model list could not be read: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable("interrupted", "interrupted");
        }
        if (failed.size() == sources.size()) {
            throw new ApiException.Unavailable("models_unavailable", "no daemon answered for models: " + String.join("; ", failed));
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("object", "list");
        out.set("data", data);
        return out;
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void authFailure(String reason) {
        meters.counter("gateway.auth.failures", "requests refused by authentication, by reason", "reason", reason).increment();
    }
}
