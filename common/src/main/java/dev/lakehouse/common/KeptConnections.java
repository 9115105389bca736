package dev.lakehouse.common;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ClientRequest;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;

/**
 * The keep-alive connections to one plain-HTTP peer, kept here instead of in Helidon's connection cache, and lent to
 * one request at a time ({@code request.connection(lease.connection())}, the lease closed after the answer).
 *
 * <p>Why not Helidon's cache: Helidon 4.5's WebClient puts every connection it returns to its cache into "idle
 * monitoring" — a virtual thread per connection that reads one byte with a 101 ms timeout, again and again, to notice a
 * peer that closed it ({@code IdleInputStream}; Helidon issue #11799, no setting to turn it off). Every call pays for
 * that thread's start, its socket time-out changes and a hand-over of the answer's first byte to the calling thread,
 * and a connection idle in the cache throws a {@code SocketTimeoutException} with its stack trace ten times a second
 * (docs/perf.md: "The peer client, side by side" and the memory soak). A connection kept here is not watched: it is
 * checked when it is taken, and only if it has been idle long enough for that to matter.
 *
 * <p>How a kept connection is checked: one taken after more than {@link #VALIDATE_AFTER} of idleness is probed with a
 * read of 1 ms — a peer that closed it (restarted, or its idle time-out) answers end-of-stream at once and the
 * connection is closed and another taken; a live one times out, costing that request 1 ms. One idle longer than
 * {@link #MAX_IDLE} is closed without a probe. A connection busy within the last {@link #VALIDATE_AFTER} is lent
 * without a check: a peer that went away within that window fails the request that takes it before any answer, that
 * failure closes every idle connection to the peer, and the caller sends the request once more on a {@link #connect
 * new connection} when {@link #closedByPeer} says the peer had closed it (PeerClient always; the gateway when the body
 * can be sent again) — so a killed peer is refused at once (503), a restarted one answers.
 *
 * <p>Thread-safety: a connection is lent to one caller at a time; {@link Lease} decides once, by an atomic flag,
 * whether Helidon gave it back (on the answer's close, when its body was read to the end: kept) or the caller closed
 * the lease first (closed with it).
 *
 * <p>Lent in turn, the one idle longest first (a queue, as Helidon's cache does), not most recently used first: with a
 * stack, the connections below the top idle for seconds, long enough for the objects of their last read (Helidon's
 * {@code DataReader} nodes) to be promoted to the old generation, and the next read on such a connection hangs its new
 * nodes off a dead old one — which keeps them alive through every young collection, so everything read on it is
 * promoted until a full collection. Measured in one JVM (a Helidon server and 8 callers, serial collector, 40 s): the
 * old generation held 40–168 MiB of such garbage with a stack, 11.6 MiB with a queue, 11.8 MiB with Helidon's cache
 * (docs/perf.md, "Kept connections"). The price of the queue: at a rate so low that each connection idles over
 * {@link #VALIDATE_AFTER} between its turns, each request pays the 1 ms probe.
 */
public final class KeptConnections {
    /** Idle longer than this, a connection is probed before it is lent. */
    static final Duration VALIDATE_AFTER = Duration.ofSeconds(2);
    /** Idle longer than this, a connection is closed (below Helidon's server idle time-out of 5 minutes). */
    static final Duration MAX_IDLE = Duration.ofSeconds(60);
    private static final Duration PROBE = Duration.ofMillis(1);
    private static final List<String> HTTP_1_1 = List.of("http/1.1");

    private final WebClient sockets;
    private final ConnectionKey key;
    private final LinkedBlockingDeque<Idle> idle;
    private final long validateAfter;
    private final long maxIdle;

    /** A connection and the lease it is lent on now. */
    private static final class Kept {
        private TcpClientConnection connection;
        private volatile Lease current;
    }

    private record Idle(Kept kept, long since) {
    }

    /**
     * @param base       the peer's base URL; plain {@code http} only (see {@link #supports})
     * @param sockets    the client whose socket options (connect time-out, TCP_NODELAY) new connections take
     * @param maxKept    how many idle connections are kept at most; more are closed when given back
     */
    public KeptConnections(URI base, WebClient sockets, int maxKept) {
        this(base, sockets, maxKept, VALIDATE_AFTER, MAX_IDLE);
    }

    KeptConnections(URI base, WebClient sockets, int maxKept, Duration validateAfter, Duration maxIdle) {
        if (!supports(base)) {
            throw new IllegalArgumentException("kept connections are for plain http peers, not " + base.getScheme());
        }
        if (maxKept < 1) {
            throw new IllegalArgumentException("maxKept must be at least 1: " + maxKept);
        }
        this.sockets = sockets;
        var config = sockets.prototype();
        int port = base.getPort() > 0 ? base.getPort() : 80;
        this.key = ConnectionKey.create("http", base.getHost(), port, Tls.builder().enabled(false).build(),
                config.dnsResolver(), config.dnsAddressLookup(), Proxy.noProxy());
        this.idle = new LinkedBlockingDeque<>(maxKept);
        this.validateAfter = validateAfter.toNanos();
        this.maxIdle = maxIdle.toNanos();
    }

    /** Whether a peer at this URL can use kept connections: plain HTTP (TLS peers stay on Helidon's own cache). */
    public static boolean supports(URI base) {
        return base.getScheme() != null && base.getScheme().toLowerCase(Locale.ROOT).equals("http") && base.getHost() != null;
    }

    /**
     * A connection for one request: the one idle longest that is still usable, else a new one (which may
     * throw what connecting throws: refused, unresolvable, timed out).
     */
    public Lease lend() {
        long now = System.nanoTime();
        for (Idle i; (i = idle.pollFirst()) != null; ) {
            long idleFor = now - i.since();
            Kept kept = i.kept();
            if (!kept.connection.isConnected() || idleFor > maxIdle || idleFor > validateAfter && !stillOpen(kept.connection)) {
                kept.connection.closeResource();
                continue;
            }
            return new Lease(kept, true);
        }
        return connect();
    }

    /** A new connection for one request, not one of the kept ones (kept once given back). */
    public Lease connect() {
        Kept kept = new Kept();
        kept.connection = TcpClientConnection.create(sockets, key, HTTP_1_1, c -> kept.current.givenBack(), c -> {
        }).connect();
        return new Lease(kept, false);
    }

    /**
     * Whether a request that failed on a kept connection before any answer failed because the peer had closed that
     * connection (end of stream, reset, broken pipe) — a peer killed or restarted since the connection's last use —
     * rather than by a time-out. Such a request never reached a live process: the caller may send it once more on a
     * {@link #connect new connection} (which a dead peer refuses at once), whatever its method.
     */
    public static boolean closedByPeer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return false;
            }
            if (t instanceof java.io.EOFException || t instanceof java.net.SocketException
                    || t.getClass().getName().equals("io.helidon.common.buffers.DataReader$InsufficientDataAvailableException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * One request on a kept connection: {@code call} builds it on the lease's connection, sends it, calls
     * {@link Lease#answered} once the answer's status is in, and closes the answer. A first attempt that failed before
     * any answer because the peer had closed that kept connection ({@link #closedByPeer}) is made once more on a new
     * connection, when {@code resendable} (its body can be sent again); any other failure is thrown as it came.
     */
    public <R> R send(boolean resendable, java.util.function.Function<Lease, R> call) {
        for (int attempt = 0; ; attempt++) {
            Lease lease = attempt == 0 ? lend() : connect();
            try (lease) {
                return call.apply(lease);
            } catch (RuntimeException e) {
                if (attempt > 0 || !resendable || lease.answered || !lease.reused || !closedByPeer(e)) {
                    throw e;
                }
            }
        }
    }

    /** {@link #lend} for this request: the request goes out on the lent connection. */
    public Lease lendTo(ClientRequest<?> request) {
        Lease lease = lend();
        request.connection(lease.connection());
        return lease;
    }

    /** How many idle connections are kept now (for tests and metrics). */
    public int idleCount() {
        return idle.size();
    }

    /** Closes every idle connection (lent ones close when given back). */
    public void closeIdle() {
        for (Idle i; (i = idle.pollFirst()) != null; ) {
            i.kept().connection.closeResource();
        }
    }

    /** Whether an idle connection's peer has not closed it: a read of 1 ms that times out. */
    private static boolean stillOpen(ClientConnection connection) {
        try {
            connection.readTimeout(PROBE);
            // end-of-stream (the peer closed it) or a byte nobody asked for: either way not reusable
            connection.helidonSocket().read(BufferData.create(1));
            return false;
        } catch (UncheckedIOException e) {
            return e.getCause() instanceof SocketTimeoutException;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * One connection lent to one request, to be closed after the answer (try-with-resources, after the answer's own
     * close). A lease ends once: given back by Helidon (the answer read to the end) or closed by the caller, whichever
     * is first; closing a lease whose connection was given back does nothing, so it never closes a connection lent to
     * someone else since, and closing one that was not given back (the request failed, the answer was not read to the
     * end) closes its connection.
     */
    public final class Lease implements AutoCloseable {
        private final Kept kept;
        private final boolean reused;   // the connection had served requests before: only then is a failure resent
        private final AtomicBoolean open = new AtomicBoolean(true);
        private boolean answered;

        private Lease(Kept kept, boolean reused) {
            this.kept = kept;
            this.reused = reused;
            kept.current = this;
        }

        public ClientConnection connection() {
            return kept.connection;
        }

        /** The answer's status is in: a failure from here on is not sent again ({@link #send}). */
        public void answered() {
            answered = true;
        }

        /** Helidon gives the connection back once the answer is read: kept when there is room, else closed. */
        private boolean givenBack() {
            if (!open.compareAndSet(true, false)) {
                return false;
            }
            return idle.offerLast(new Idle(kept, System.nanoTime()));
        }

        /**
         * Ends the lease: unless Helidon gave the connection back already, it is closed, and so is every idle one — a
         * request that failed on a kept connection most often means the peer went away (restarted), and its other
         * kept connections are then as dead; one failed request flushes them, not one each.
         */
        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                kept.connection.closeResource();
                closeIdle();
            }
        }
    }
}
