package dev.lakehouse.common;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A daemon's Prometheus registry, with JVM memory, GC, thread, class-loader,
 * CPU and uptime meters, and the per-route HTTP timer
 * {@code http_server_requests_seconds{method,route,status}} whose {@code route}
 * is the route template ({@code /v1/indexes/{name}}), never the raw path.
 * Buckets: 0.5 ms to 60 s, sixteen of them.
 */
public final class HttpMetrics {
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry;
    private final Meters meters;

    public HttpMetrics(String daemon) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("daemon", daemon);
        meters = new Meters(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void record(String method, String route, int status, long nanos) {
        meters.timer("http.server.requests", "HTTP requests served, by route template",
                        b -> b.serviceLevelObjectives(BUCKETS), "method", method, "route", route, "status", Integer.toString(status))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Prometheus text exposition format 0.0.4. */
    public String scrape() {
        return registry.scrape();
    }
}
