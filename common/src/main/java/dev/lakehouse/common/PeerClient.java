package dev.lakehouse.common;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;

/**
 * Calls one peer daemon over HTTP/JSON (Helidon WebClient on keep-alive
 * connections kept by {@link KeptConnections}, TCP_NODELAY). Every call carries the current {@code X-Request-Id};
 * has connect and read timeouts; is retried with backoff only when the caller
 * says it is idempotent and the failure is transient (unreachable, timeout,
 * 502/503/504); and passes a per-peer {@link CircuitBreaker}, so a dead peer
 * costs an immediate 503 instead of a timeout.
 *
 * <p>Failures come back as {@link ApiException}s that name the peer: a peer's
 * own problem+json keeps its status (4xx) and code; a peer's 5xx becomes 502,
 * 503 or 504; connection refused is 503 {@code peer_unavailable}, a timeout
 * 504 {@code peer_timeout}, an open breaker 503 {@code circuit_open} with Retry-After.
 */
public final class PeerClient {
    /**
     * Timeouts, retries, breaker settings, and the stack's internal token to send (null: none; never for a provider or
     * a legacy stack). Defaults: 1s connect, 10s read, 2 retries from 50ms, breaker 5 failures / 5s, no token.
     */
    public record Options(Duration connectTimeout, Duration readTimeout, int maxRetries, Duration retryBackoff,
                          int breakerFailures, Duration breakerOpenFor, InternalToken token) {
        public Options(Duration connectTimeout, Duration readTimeout, int maxRetries, Duration retryBackoff, int breakerFailures,
                       Duration breakerOpenFor) {
            this(connectTimeout, readTimeout, maxRetries, retryBackoff, breakerFailures, breakerOpenFor, null);
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(1), Duration.ofSeconds(10), 2, Duration.ofMillis(50), 5,
                    Duration.ofSeconds(5));
        }

        public Options withReadTimeout(Duration timeout) {
            return new Options(connectTimeout, timeout, maxRetries, retryBackoff, breakerFailures, breakerOpenFor, token);
        }

        public Options withRetries(int retries, Duration backoff) {
            return new Options(connectTimeout, readTimeout, retries, backoff, breakerFailures, breakerOpenFor, token);
        }

        public Options withBreaker(int failures, Duration openFor) {
            return new Options(connectTimeout, readTimeout, maxRetries, retryBackoff, failures, openFor, token);
        }

        /** These options sending the stack's internal token (a peer daemon of this stack only). */
        public Options withToken(InternalToken token) {
            return new Options(connectTimeout, readTimeout, maxRetries, retryBackoff, breakerFailures, breakerOpenFor, token);
        }

        @Override
        public String toString() {
            return "Options[connect=" + connectTimeout + ", read=" + readTimeout + ", retries=" + maxRetries + ", token="
                    + (token == null ? "none" : "set") + "]";
        }
    }

    /** A peer's answer: status, content type, body. */
    public record Response(int status, String contentType, byte[] body, String retryAfter) {
        public <T> T json(Class<T> type) {
            return Json.parse(body, type);
        }
    }

    /** Idle keep-alive connections kept to one peer at most. */
    static final int KEPT = 64;

    private final String peer;
    private final URI base;
    private final Options options;
    private final WebClient client;
    private final KeptConnections kept;   // null for a TLS peer: Helidon's own connection cache
    private final CircuitBreaker breaker;

    public PeerClient(String peer, URI base, Options options) {
        this.peer = peer;
        this.base = base;
        this.options = options;
        this.breaker = new CircuitBreaker(options.breakerFailures(), options.breakerOpenFor());
        this.client = clientBuilder(options.connectTimeout())
                .baseUri(base)
                .readTimeout(options.readTimeout())
                .build();
        this.kept = KeptConnections.supports(base) ? new KeptConnections(base, client, KEPT) : null;
    }

    /**
     * The WebClient settings every daemon-to-daemon or provider client uses: the
     * connect timeout, redirects not followed, pooled keep-alive connections, TCP_NODELAY.
     */
    public static WebClientConfig.Builder clientBuilder(Duration connectTimeout) {
        return WebClient.builder()
                .connectTimeout(connectTimeout)
                .followRedirects(false)
                .keepAlive(true)
                .socketOptions(s -> s.tcpNoDelay(true));
    }

    /** A client for one of the eleven daemons, at {@code LAKEHOUSE_<DAEMON>_URL}, sending the stack's internal token. */
    public static PeerClient forDaemon(DaemonId peer, EnvConfig env, Options options) {
        return new PeerClient(peer.daemonName(), env.peerUrl(peer), options.withToken(env.internalToken().orElse(null)));
    }

    public String peer() {
        return peer;
    }

    public URI base() {
        return base;
    }

    public CircuitBreaker.State breakerState() {
        return breaker.state();
    }

    /**
     * Whether the peer says it is ready ({@code GET /ready} answers 200) now: one try, outside the breaker and without
     * retries — what a daemon waits on at start-up before its first real call, so that a peer still loading neither
     * opens the breaker nor turns into errors for callers.
     */
    public boolean ready() {
        try {
            return once(Method.GET, "/ready", null).status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public <T> T get(String path, Class<T> type) {
        return send(Method.GET, path, null, true).json(type);
    }

    public <T> T post(String path, Object body, Class<T> type, boolean idempotent) {
        return send(Method.POST, path, Json.bytes(body), idempotent).json(type);
    }

    /**
     * One logical call: the body (JSON, or null for none) goes to {@code path}
     * (with its query). Returns the answer when its status is below 400; throws an
     * {@link ApiException} naming the peer otherwise.
     */
    public Response send(Method method, String path, byte[] body, boolean idempotent) {
        Response r = exchange(method, path, body, idempotent);
        if (r.status() >= 400) {
            throw fromPeerError(method, path, r.status(), r.contentType(), r.body(), r.retryAfter());
        }
        return r;
    }

    /**
     * Like {@link #send} but returns every answer, whatever its status, for a peer
     * whose errors are not problem+json (Ollama, LLM providers). Still throws for
     * transport failures and an open breaker; a 5xx answer counts as a breaker
     * failure, and is retried when idempotent.
     */
    public Response exchange(Method method, String path, byte[] body, boolean idempotent) {
        int attempts = idempotent ? 1 + options.maxRetries() : 1;
        ApiException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                backoff(attempt - 1);
            }
            if (!breaker.tryAcquire()) {
                throw circuitOpen();
            }
            try {
                Response response = once(method, path, body);
                if (response.status() >= 500) {
                    breaker.onFailure();
                    if (attempt < attempts && (response.status() == 502 || response.status() == 503 || response.status() == 504)) {
                        continue;
                    }
                } else {
                    breaker.onSuccess();
                }
                return response;
            } catch (ApiException e) {   // a transport failure: unreachable, timed out, connection broken
                breaker.onFailure();
                last = e;
            }
        }
        throw last;
    }

    /**
     * One call, on a kept connection (a TLS peer: Helidon's cache). A call that found its kept connection closed by the
     * peer (killed or restarted since) before any answer reached no live process: it goes once more on a new connection,
     * which a dead peer refuses at once (503 {@code peer_unavailable}) — whatever the method ({@link KeptConnections#send}).
     */
    private Response once(Method method, String path, byte[] body) {
        try {
            return kept == null ? once(method, path, body, null) : kept.send(true, lease -> once(method, path, body, lease));
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw fromTransportError(method, path, e);
        }
    }

    private Response once(Method method, String path, byte[] body, KeptConnections.Lease lease) {
        HttpClientRequest request = client.method(method).path(path);
        RequestContext.currentId().ifPresent(id -> request.header(KitFilter.REQUEST_ID, id));
        if (RequestContext.shadow()) {   // a shadow copy's calls are shadow too: none of them becomes evidence
            request.header(KitFilter.SHADOW, "1");
        }
        RequestContext.caller().ifPresent(c -> request.header(KitFilter.CALLER, c));   // chatd charges the key that caused the call
        RequestContext.route().ifPresent(r -> request.header(KitFilter.ROUTE, r));
        request.header(HeaderNames.ACCEPT, "application/json, application/problem+json");
        if (options.token() != null) {
            request.header(InternalAuth.HEADER, options.token().value());
        }
        if (body != null) {
            request.header(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        }
        if (lease != null) {
            request.connection(lease.connection());
        }
        try (HttpClientResponse response = body == null ? request.request() : request.submit(body)) {
            if (lease != null) {
                lease.answered();
            }
            return read(response);
        }
    }

    private static Response read(HttpClientResponse response) {
        int status = response.status().code();
        String contentType = response.headers().contentType().map(t -> t.text()).orElse("");
        byte[] bytes = response.entity().hasEntity() ? response.entity().as(byte[].class) : new byte[0];
        return new Response(status, contentType, bytes, response.headers().first(HeaderNames.RETRY_AFTER).orElse(null));
    }

    private ApiException fromPeerError(Method method, String path, int status, String contentType, byte[] bytes,
                                       String retryAfter) {
        String code = Problem.codeFor(status);
        String detail = "HTTP " + status;
        if (contentType.contains("json") && bytes.length > 0) {
            try {
                var node = Json.mapper().readTree(bytes);
                code = node.path("code").asText(code);
                detail = node.path("detail").asText(detail);
            } catch (IOException | RuntimeException ignored) {
                // not a problem body: keep the status-derived code
            }
        }
        String what = peer + " answered " + status + " to " + method.text() + " " + Routes.withoutQuery(path) + ": " + detail;
        Map<String, String> headers = retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter);
        return switch (status) {
            case 404 -> new ApiException.NotFound(code, what);
            case 409 -> new ApiException.Conflict(code, what);
            case 503 -> new ApiException.Unavailable(peer, code, what, headers, null);
            case 504 -> new ApiException.UpstreamFailed(peer, true, code, what, null);
            default -> status < 500
                    ? new ApiException.BadRequest(status, code, what, headers)
                    : new ApiException.UpstreamFailed(peer, false, "peer_error", what, null);
        };
    }

    private ApiException fromTransportError(Method method, String path, RuntimeException e) {
        return transportFailure(peer, base, method, path, options.readTimeout(), e);
    }

    /**
     * What a failed call means, naming the peer: refused or unresolvable → 503
     * {@code peer_unavailable}; timed out → 504 {@code peer_timeout}; anything else
     * (a connection broken mid-call) → 502 {@code peer_connection_failed}.
     */
    public static ApiException transportFailure(String peer, URI base, Method method, String path, Duration readTimeout,
                                                RuntimeException e) {
        String where = peer + " at " + base;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
                return new ApiException.Unavailable(peer, "peer_unavailable", where + " is unreachable: "
                        + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")"),
                        Map.of(), e);
            }
            if (t instanceof SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.net.http.HttpTimeoutException) {
                return new ApiException.UpstreamFailed(peer, true, "peer_timeout", where + " did not answer "
                        + method.text() + " " + Routes.withoutQuery(path) + " within " + readTimeout.toMillis() + " ms", e);
            }
        }
        return new ApiException.UpstreamFailed(peer, false, "peer_connection_failed", where + " failed during "
                + method.text() + " " + Routes.withoutQuery(path) + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
    }

    private ApiException circuitOpen() {
        return breaker.refusal(peer, peer + " at " + base);
    }

    private void backoff(int retry) {
        try {
            Thread.sleep(Backoff.jittered(options.retryBackoff(), retry));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable(peer, "interrupted", "interrupted while retrying " + peer, Map.of(), e);
        }
    }
}
