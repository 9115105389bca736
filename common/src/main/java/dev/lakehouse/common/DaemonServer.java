package dev.lakehouse.common;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;

/**
 * Starts one named daemon: a Helidon WebServer with the kit installed (request
 * ids, access log, route metrics, problem+json for every failure, body-size
 * limit, /health, /ready, /metrics) around the daemon's own routes, and a
 * graceful stop on SIGTERM or SIGINT: readiness goes DOWN, the listener stops
 * accepting and lets in-flight requests finish (up to {@code LAKEHOUSE_SHUTDOWN_GRACE},
 * default 10s), the stop hooks run in reverse order of registration (flush, fsync),
 * and the process exits 0.
 *
 * <pre>{@code
 * DaemonServer.builder(DaemonId.OBSERVERD, env)
 *     .maxBodyBytes(16L << 20)
 *     .routing(r -> r.register("/v1/observe", new ObserverdRoutes(store)))
 *     .readiness("events", store::readiness)
 *     .onStop("events", store::close)
 *     .afterStart("events", store::load)    // /ready says "loading" meanwhile
 *     .start();
 * }</pre>
 */
public final class DaemonServer {
    private static final Logger LOG = Logger.getLogger(DaemonServer.class.getName());
    /** Default request body limit: 8 MiB; a daemon may set its own, the operator overrides with {@code <DAEMON>_MAX_BODY_BYTES}. */
    public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;

    private final String daemon;
    private final WebServer server;
    private final HttpMetrics metrics;
    private final List<Map.Entry<String, Runnable>> stopHooks;
    private final AtomicBoolean stopping;
    private final Path dataDir;

    private DaemonServer(String daemon, WebServer server, HttpMetrics metrics,
                         List<Map.Entry<String, Runnable>> stopHooks, AtomicBoolean stopping, Path dataDir) {
        this.daemon = daemon;
        this.server = server;
        this.metrics = metrics;
        this.stopHooks = stopHooks;
        this.stopping = stopping;
        this.dataDir = dataDir;
    }

    /** One of the platform's daemons, on its port of DESIGN.md unless {@code LAKEHOUSE_<DAEMON>_PORT} says otherwise. */
    public static Builder builder(DaemonId id, EnvConfig env) {
        return new Builder(id.daemonName(), env, id.defaultPort());
    }

    /** A server that is not one of the eleven (a test's fake upstream), under its own name. */
    public static Builder builder(String daemon, EnvConfig env, int defaultPort) {
        return new Builder(daemon, env, defaultPort);
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.port();
    }

    public String daemon() {
        return daemon;
    }

    public Path dataDir() {
        return dataDir;
    }

    public HttpMetrics metrics() {
        return metrics;
    }

    /** Graceful stop; idempotent. Does not exit the JVM. */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        LOG.info("stopping " + daemon);
        server.stop();
        List<Map.Entry<String, Runnable>> hooks = new ArrayList<>(stopHooks);
        Collections.reverse(hooks);
        for (var hook : hooks) {
            try {
                hook.getValue().run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "stop hook '" + hook.getKey() + "' failed", e);
            }
        }
        LOG.info("stopped " + daemon);
        Logs.flush();
    }

    /** Builds and starts a daemon; see the class comment. */
    public static final class Builder {
        private final String daemon;
        private final EnvConfig env;
        private final int defaultPort;
        private final Map<String, Supplier<Readiness>> checks = new LinkedHashMap<>();
        private final List<Map.Entry<String, Runnable>> stopHooks = new ArrayList<>();
        private final List<Consumer<HttpRouting.Builder>> routings = new ArrayList<>();
        private final List<Map.Entry<String, Runnable>> afterStart = new ArrayList<>();
        private final List<Map.Entry<String, Runnable>> background = new ArrayList<>();
        private final HttpMetrics metrics;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private boolean embedded;

        private Builder(String daemon, EnvConfig env, int defaultPort) {
            this.daemon = daemon;
            this.env = env;
            this.defaultPort = defaultPort;
            this.metrics = new HttpMetrics(daemon);
        }

        /** {@code LAKEHOUSE_DATA_DIR/<daemon>}: where this daemon keeps its state. */
        public Path dataDir() {
            return env.dataDir(daemon);
        }

        /** The registry, to register the daemon's own meters before start. */
        public HttpMetrics metrics() {
            return metrics;
        }

        private Observer observer;

        /**
         * This daemon's observation client (docs/observer.md), made on first use under the daemon's own name and
         * data directory, and closed by a stop hook registered then (its spool flushed after the requests ended).
         */
        public Observer observer() {
            if (observer == null) {
                observer = Observer.create(daemon, env, dataDir(), metrics.registry());
                onStop("observer", observer::close);
            }
            return observer;
        }

        /**
         * A client of a peer daemon at {@code LAKEHOUSE_<PEER>_URL}, with this read timeout and no retries (the caller
         * decides what a failure means: a generation, a check with a deadline, a write that must not repeat).
         */
        public PeerClient peer(DaemonId peer, Duration readTimeout) {
            return PeerClient.forDaemon(peer, env, PeerClient.Options.defaults().withReadTimeout(readTimeout)
                    .withRetries(0, Duration.ZERO));
        }

        public Builder routing(Consumer<HttpRouting.Builder> routing) {
            routings.add(routing);
            return this;
        }

        /** A named readiness check; /ready is 200 only when all are ready. */
        /**
         * This daemon's erasure route at {@code path} (say {@code /v1/memory/erasures}), before every other route:
         * {@code purge} forgets the subject, then the data directory is scanned ({@link ErasureRoute}).
         */
        public Builder erasures(String path, ErasureRoute.Purge purge) {
            return erasures(path, purge, f -> java.util.Optional.empty());
        }

        /**
         * The same; {@code decode} gives the text of files the scan cannot read as bytes (compressed Parquet), and
         * {@code alsoScanned} are files or directories outside the data directory that the daemon keeps (the roster).
         */
        public Builder erasures(String path, ErasureRoute.Purge purge, java.util.function.Function<Path, java.util.Optional<String>> decode,
                                Path... alsoScanned) {
            List<Path> roots = new ArrayList<>(List.of(dataDir()));
            roots.addAll(List.of(alsoScanned));
            ErasureRoute route = new ErasureRoute(daemon, roots, purge, decode);
            routings.add(0, r -> Routes.only(r, io.helidon.http.Method.POST, path, route));
            return this;
        }

        public Builder readiness(String name, Supplier<Readiness> check) {
            checks.put(name, check);
            return this;
        }

        /** Runs on graceful stop, after in-flight requests finished; hooks run last-added first. */
        public Builder onStop(String name, Runnable hook) {
            stopHooks.add(Map.entry(name, hook));
            return this;
        }

        /**
         * Runs once the server listens, on the starting thread, in order of registration:
         * loading state (indexes, the journal) while {@code /ready} says why it is not ready.
         * A hook that throws stops the server and fails {@link #start()}.
         */
        public Builder afterStart(String name, Runnable hook) {
            afterStart.add(Map.entry(name, hook));
            return this;
        }

        /**
         * Work that may start before the server does — a model to load — run on a thread of its own once the log is set
         * up, beside the server's start instead of after it; its readiness check says when it is done, and it handles
         * its own failures (one that escapes is logged, and the daemon keeps serving).
         */
        public Builder inBackground(String name, Runnable task) {
            background.add(Map.entry(name, task));
            return this;
        }

        /** This daemon's default body limit; {@code <DAEMON>_MAX_BODY_BYTES} overrides it. */
        public Builder maxBodyBytes(long bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * For a server inside another program (a test): no signal handlers, and the
         * JSON log handler is not installed. A daemon's main never calls this.
         */
        public Builder embedded() {
            this.embedded = true;
            return this;
        }

        public DaemonServer start() {
            if (!embedded) {
                Logs.install(daemon, env);
            }
            for (var task : background) {
                Thread.ofPlatform().daemon(true).name(daemon + "-" + task.getKey().replace(' ', '-')).start(() -> {
                    try {
                        task.getValue().run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.SEVERE, daemon + ": " + task.getKey() + " failed", e);
                    }
                });
            }
            String prefix = DaemonId.envName(daemon);
            int port = env.port(daemon, defaultPort);
            String bind = env.bind();
            long bodyLimit = env.bytes(prefix + "_MAX_BODY_BYTES", maxBodyBytes);
            Duration grace = env.duration("LAKEHOUSE_SHUTDOWN_GRACE", Duration.ofSeconds(10));
            Path dataDir = env.dataDir(daemon);
            String version = versionOf(DaemonServer.class);
            AtomicBoolean stopping = new AtomicBoolean();
            ErrorMapper errors = new ErrorMapper(daemon, bodyLimit);
            // the gateway is the stack's door: its callers hold API keys, not the internal token
            java.util.Optional<InternalToken> token = daemon.equals(DaemonId.GATEWAY.daemonName()) ? java.util.Optional.empty()
                    : env.internalToken();

            DirectHandlers.Builder direct = DirectHandlers.builder();
            for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
                direct.addHandler(type, errors);
            }
            KitRoutes kit = new KitRoutes(daemon, version, Instant.now(), Map.copyOf(checks), stopping::get, metrics);
            WebServer server = WebServer.builder()
                    .host(bind)
                    .port(port)
                    .shutdownHook(false)
                    .maxPayloadSize(bodyLimit)
                    .shutdownGracePeriod(grace)
                    .connectionOptions(s -> s.tcpNoDelay(true))
                    .directHandlers(direct.build())
                    .routing(r -> {
                        r.addFilter(new KitFilter(metrics));
                        token.ifPresent(t -> r.addFilter(new InternalAuth(t, errors)));
                        r.error(Throwable.class, errors);
                        r.register(kit);
                        routings.forEach(c -> c.accept(r));
                    })
                    .build()
                    .start();
            DaemonServer daemonServer = new DaemonServer(daemon, server, metrics, List.copyOf(stopHooks), stopping, dataDir);
            if (!server.isRunning()) {
                // Helidon logs why (an address in use, a host that is not this machine's) and returns a server that is
                // not running; a daemon must not carry on without its listener, nor say "started"
                String address = bind + ":" + port;
                LOG.log(Level.SEVERE, daemon + " could not listen on " + address + "; stopping", Map.of("bind", bind, "port", port));
                daemonServer.stop();
                throw new IllegalStateException(daemon + " could not listen on " + address
                        + " (in use by another process, or not an address of this machine); see the log line before this one");
            }
            if (!embedded) {
                Signals.onTermination(daemonServer::stop);
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("port", server.port());
            fields.put("bind", bind);
            fields.put("version", version);
            fields.put("max_body_bytes", bodyLimit);
            fields.put("internal_token", token.isPresent() ? "required" : "not required");
            fields.put("pid", ProcessHandle.current().pid());
            Logs.info(LOG, daemon + " started", fields);
            // where it keeps its files: a server path, so below INFO (issue 31); LAKEHOUSE_LOG_LEVEL=FINE shows it
            LOG.fine(() -> daemon + " keeps its state in " + dataDir);
            for (var hook : afterStart) {
                try {
                    hook.getValue().run();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, daemon + ": " + hook.getKey() + " failed at start; stopping", e);
                    daemonServer.stop();
                    throw e;
                }
            }
            return daemonServer;
        }
    }

    static String versionOf(Class<?> type) {
        String v = type.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
