package dev.lakehouse.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.CircuitBreaker;
import dev.lakehouse.common.InternalToken;
import dev.lakehouse.common.KeptConnections;
import dev.lakehouse.common.Meters;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.common.RequestContext;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Timer;

/**
 * One daemon behind the gateway: its own HTTP/1.1 client (a pool of keep-alive
 * connections, TCP_NODELAY), its own {@link CircuitBreaker} and in-flight gauge,
 * so a dead or hung daemon never slows another route.
 *
 * <p>{@link #forward} passes a request on unchanged — method, path, query,
 * headers less the hop-by-hop ones and {@code Authorization}, body — and the
 * answer back unchanged: status, headers, body. Bodies up to {@value #BUFFERED}
 * bytes with a known length are copied whole while the {@link BufferBudget} has room; longer, unknown-length and
 * Server-Sent-Events bodies stream, flushed whenever no more bytes are waiting,
 * so each event reaches the caller as soon as the daemon writes it.
 *
 * <p>Only transport failures (refused, timed out, broken) count against the
 * breaker; a daemon's own 5xx answer is passed on. Refused → 503 {@code peer_unavailable}
 * at once; open breaker → 503 {@code circuit_open}; timeout → 504 {@code peer_timeout}.
 */
final class Upstream {
    static final int BUFFERED = 256 * 1024;
    /** Idle keep-alive connections kept to one upstream at most. */
    static final int KEPT = 256;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
            "authorization", "expect", "x-request-id", "x-lakehouse-internal-token", "x-lakehouse-caller", "x-lakehouse-route");

    private static final io.helidon.http.HeaderName REQUEST_ID = HeaderNames.create(RequestContext.HEADER);
    private static final io.helidon.http.HeaderName CALLER = HeaderNames.create(RequestContext.CALLER_HEADER);
    private static final io.helidon.http.HeaderName ROUTE = HeaderNames.create(RequestContext.ROUTE_HEADER);
    private static final io.helidon.http.HeaderName INTERNAL_TOKEN = HeaderNames.create(InternalToken.HEADER);

    private final String name;
    private final URI base;
    private final Http1Client client;
    private final Http1Client probes;
    private final KeptConnections kept;   // null for a TLS upstream (a legacy stack): Helidon's own connection cache
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Meters meters;
    private final BufferBudget buffers;
    private final InternalToken token;

    /**
     * @param name  the daemon's name, or a legacy stack's URL (the cutover table's targets)
     * @param token the stack's internal token, sent to a daemon of this stack; null for a legacy stack (it never leaves)
     */
    Upstream(String name, URI base, GatewayConfig config, Meters meters, BufferBudget buffers, InternalToken token) {
        this.name = name;
        this.token = token;
        this.buffers = buffers;
        this.base = base;
        this.meters = meters;
        this.breaker = new CircuitBreaker(config.breakerFailures(), config.breakerOpenFor());
        // HTTP/1.1 directly, not WebClient: no protocol discovery per request, no client services (none is used),
        // and the request headers are not validated again — they are the caller's, which the server validated, and
        // the gateway's own (docs/perf.md: the gateway's CPU per proxied request)
        this.client = clientTo(base, config)
                .keepAlive(true)
                .socketOptions(s -> s.tcpNoDelay(true))
                .sendExpectContinue(false)
                .protocolConfig(p -> p.validateRequestHeaders(false))
                .build();
        // the probes (/health, /ready, /metrics: the status board and the console's charts) on connections of their own,
        // each closed after its answer. A kept connection whose last read timeout was short fails the request that next
        // takes it once it has idled that long: Helidon's idle monitor (IdleInputStream, 4.5.0) gives up after the socket's
        // timeout and hands its SocketTimeoutException to that request — a 504 within milliseconds (docs/gateway.md)
        this.probes = clientTo(base, config).keepAlive(false).build();
        // the relay's connections kept by us, not in Helidon's cache with its idle monitor (KeptConnections)
        this.kept = KeptConnections.supports(base)
                ? new KeptConnections(base, PeerClient.clientBuilder(config.connectTimeout()).build(), KEPT) : null;
        meters.registry().gauge("gateway.inflight", java.util.List.of(io.micrometer.core.instrument.Tag.of("upstream", name)),
                inFlight);
    }

    /** What both clients share: the daemon's base URL, the connect timeout, no redirects, no service discovery, no proxy. */
    private static io.helidon.webclient.http1.Http1ClientConfig.Builder clientTo(URI base, GatewayConfig config) {
        return Http1Client.builder()
                .baseUri(base)
                .connectTimeout(config.connectTimeout())
                .followRedirects(false)
                .servicesDiscoverServices(false)
                .proxy(io.helidon.webclient.api.Proxy.noProxy());   // the default asks the system's ProxySelector per request
    }

    String name() {
        return name;
    }

    URI base() {
        return base;
    }

    CircuitBreaker.State breakerState() {
        return breaker.state();
    }

    void forward(ServerRequest req, ServerResponse res, String route, Duration timeout, String caller) {
        forward(req, null, res, route, timeout, caller);
    }

    /** An answer as the gateway kept it: status, content type, and the body (null when it streamed past {@value #BUFFERED} bytes). */
    record Captured(int status, String contentType, byte[] body) {
    }

    /**
     * Forwards with the request body already read ({@code body}; null: streamed from the request) and relays the answer;
     * answers what it relayed, for the cutover's parity check.
     */
    Captured forward(ServerRequest req, byte[] body, ServerResponse res, String route, Duration timeout, String caller) {
        if (!breaker.tryAcquire()) {
            error("circuit_open");
            throw breaker.refusal(name, name + " at " + base);
        }
        Method method = req.prologue().method();
        String rawPath = req.prologue().uriPath().rawPath();
        String query = req.query().rawValue();
        long start = System.nanoTime();
        int[] status = {0};   // the daemon's, once its answer is in
        BufferBudget.Held held = new BufferBudget.Held(buffers);
        inFlight.incrementAndGet();
        try {
            // a request whose body can be sent again (held, or none) is, once, when the kept connection it took had been
            // closed by the daemon (killed or restarted since): it reached no live process (KeptConnections.closedByPeer)
            boolean replayable = body != null || req.headers().contentLength().orElse(-1) == 0
                    || req.headers().contentLength().isEmpty() && !req.headers().contains(HeaderNames.TRANSFER_ENCODING);
            java.util.function.Function<KeptConnections.Lease, Captured> call = lease -> {
                Http1ClientRequest up = request(req, route, timeout, caller, query);
                if (lease != null) {
                    up.connection(lease.connection());
                }
                try (Http1ClientResponse answer = body != null ? (body.length == 0 ? up.request() : up.submit(body)) : send(req, up, held)) {
                    if (lease != null) {
                        lease.answered();
                    }
                    breaker.onSuccess();
                    status[0] = answer.status().code();
                    return new Captured(status[0], answer.headers().contentType().map(t -> t.text()).orElse(""), relay(answer, res, held));
                }
            };
            return kept == null ? call.apply(null) : kept.send(replayable, call);
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            if (status[0] != 0) {
                throw e;   // the caller went away or the daemon broke off mid-body: nothing can be sent now
            }
            throw transportFailure(method, rawPath, timeout, e);
        } finally {
            held.giveBack();
            inFlight.decrementAndGet();
            timer(route, status[0]).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** The request to the daemon: method, decoded path, query, the caller's headers passed on, the gateway's own. */
    private Http1ClientRequest request(ServerRequest req, String route, Duration timeout, String caller, String query) {
        // The decoded path on the prebuilt base: cheaper than parsing an absolute URI per request,
        // and the same request, since RouteTable refused encoded slashes, dots and NUL.
        Http1ClientRequest up = client.method(req.prologue().method())
                .path(req.prologue().uriPath().path())
                .readTimeout(timeout);
        if (!query.isEmpty()) {
            for (String q : req.query().names()) {
                up.queryParam(q, req.query().all(q).toArray(String[]::new));
            }
        }
        passedOn(req).forEach(up::header);
        RequestContext.currentId().ifPresent(id -> up.header(REQUEST_ID, id));
        up.header(CALLER, caller);
        up.header(ROUTE, route);
        if (token != null) {
            up.header(INTERNAL_TOKEN, token.value());
        }
        up.header(HeaderNames.X_FORWARDED_FOR, req.remotePeer().host());
        return up;
    }

    /** Sends the caller's body: whole when it is small and the budget has room for it, else streamed. */
    private static Http1ClientResponse send(ServerRequest req, Http1ClientRequest up, BufferBudget.Held held) {
        var length = req.headers().contentLength();
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        if (length.isEmpty() && !chunked || length.isPresent() && length.getAsLong() == 0) {
            return up.request();
        }
        if (length.isPresent() && length.getAsLong() <= BUFFERED && held.take(length.getAsLong())) {
            return up.submit(readExactly(req.content().inputStream(), (int) length.getAsLong()));
        }
        length.ifPresent(n -> up.header(HeaderNames.CONTENT_LENGTH, Long.toString(n)));
        return up.outputStream(out -> {
            try (InputStream in = req.content().inputStream()) {
                in.transferTo(out);
            }
            out.close();
        });
    }

    /**
     * Relays the answer; returns its body when it was small enough to send whole (and the budget had room),
     * else null (it streamed).
     */
    private static byte[] relay(Http1ClientResponse answer, ServerResponse res, BufferBudget.Held held) {
        res.status(Status.create(answer.status().code()));
        for (Header h : answer.headers()) {
            if (!HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                res.header(h);
            }
        }
        var length = answer.headers().contentLength();
        boolean events = answer.headers().contentType().map(t -> t.text().startsWith("text/event-stream")).orElse(false);
        if (!answer.entity().hasEntity()) {
            res.send();
            return new byte[0];
        }
        if (length.isPresent() && length.getAsLong() <= BUFFERED && !events && held.take(length.getAsLong())) {
            byte[] bytes = readExactly(answer.inputStream(), (int) length.getAsLong());
            res.send(bytes);
            return bytes;
        }
        length.ifPresent(n -> res.header(HeaderNames.CONTENT_LENGTH, Long.toString(n)));
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = answer.inputStream(); OutputStream out = res.outputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    /**
     * One call of the gateway's own, outside the caller's request: the copy of a shadowed request (docs/cutover.md).
     * Through the breaker; the answer is read whole up to {@value #BUFFERED} bytes (a longer one is not compared: null body).
     * A transport failure throws, as {@link #forward} does.
     */
    Captured exchange(Method method, String path, java.util.Map<String, java.util.List<String>> query, java.util.List<Header> headers,
                      byte[] body, Duration timeout) {
        if (!breaker.tryAcquire()) {
            throw breaker.refusal(name, name + " at " + base);
        }
        try {
            java.util.function.Function<KeptConnections.Lease, Captured> call = lease -> {
                Http1ClientRequest up = client.method(method).path(path).readTimeout(timeout);
                query.forEach((k, v) -> up.queryParam(k, v.toArray(String[]::new)));
                headers.forEach(up::header);
                if (token != null) {
                    up.header(INTERNAL_TOKEN, token.value());
                }
                if (lease != null) {
                    up.connection(lease.connection());
                }
                try (Http1ClientResponse answer = body.length == 0 ? up.request() : up.submit(body)) {
                    if (lease != null) {
                        lease.answered();
                    }
                    breaker.onSuccess();
                    var length = answer.headers().contentLength();
                    byte[] bytes = !answer.entity().hasEntity() ? new byte[0]
                            : length.isPresent() && length.getAsLong() <= BUFFERED ? readExactly(answer.inputStream(), (int) length.getAsLong())
                            : null;
                    return new Captured(answer.status().code(), answer.headers().contentType().map(t -> t.text()).orElse(""), bytes);
                }
            };
            return kept == null ? call.apply(null) : kept.send(true, call);
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw transportFailure(method, path, timeout, e);
        }
    }

    /**
     * The headers a forwarded request carries on: the caller's, less the hop-by-hop ones, Authorization and any
     * internal token a caller sent (only the gateway's own reaches a daemon).
     */
    static java.util.List<Header> passedOn(ServerRequest req) {
        java.util.List<Header> out = new java.util.ArrayList<>();
        for (Header h : req.headers()) {
            if (!HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                out.add(h);
            }
        }
        return out;
    }

    private Timer timer(String route, int status) {
        return meters.timer("gateway.upstream.requests",
                "requests forwarded, by upstream, route prefix and status (none: no answer)", b -> b,
                "upstream", name, "route", route, "status", status == 0 ? "none" : Integer.toString(status));
    }

    /**
     * Exactly {@code n} bytes into one array of that size. (readAllBytes and
     * readNBytes(int) work in 16 KiB chunks and copy at the end: for a small body,
     * several times its size in garbage per request.)
     */
    static byte[] readExactly(InputStream in, int n) {
        try (in) {
            byte[] bytes = new byte[n];
            int read = in.readNBytes(bytes, 0, n);
            if (read != n) {
                throw new UncheckedIOException(new IOException("body ended after " + read + " of " + n + " bytes"));
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ApiException transportFailure(Method method, String path, Duration timeout, RuntimeException e) {
        breaker.onFailure();
        ApiException failure = PeerClient.transportFailure(name, base, method, path, timeout, e);
        error(switch (failure.code()) {
            case "peer_unavailable" -> "unavailable";
            case "peer_timeout" -> "timeout";
            default -> "broken";
        });
        return failure;
    }

    private void error(String kind) {
        meters.counter("gateway.upstream.errors", "requests forwarded that got no answer, by kind",
                "upstream", name, "kind", kind).increment();
    }

    /** A GET for the gateway's own use (status probes, model lists), outside the breaker. */
    Probe get(String path, Duration timeout) {
        long start = System.nanoTime();
        try (Http1ClientResponse r = probes.get(path).readTimeout(timeout).request()) {
            byte[] body = r.entity().hasEntity() ? r.entity().as(byte[].class) : new byte[0];
            return new Probe(r.status().code(), body, (System.nanoTime() - start) / 1e6, null);
        } catch (RuntimeException e) {
            ApiException f = PeerClient.transportFailure(name, base, Method.GET, path, timeout, e);
            return new Probe(0, new byte[0], (System.nanoTime() - start) / 1e6, f.code() + ": " + f.detail());
        }
    }

    record Probe(int status, byte[] body, double ms, String error) {
    }
}
