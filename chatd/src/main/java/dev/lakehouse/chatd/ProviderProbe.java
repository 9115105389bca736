package dev.lakehouse.chatd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a provider can be reached, as {@code GET /v1/providers} tells it: from its last call (a refused or timed-out
 * connection, or a success since), and when no call has told anything for a while, from a cheap probe — a TCP connect
 * to its host, within the connect timeout, at most once per {@link #PROBE_EVERY} per provider. A provider nobody has
 * called is so never reported {@code ok} while it refuses connections.
 */
final class ProviderProbe {
    static final Duration PROBE_EVERY = Duration.ofSeconds(10);

    /** What is known of a provider's reachability, and since when. */
    record Seen(boolean reachable, String error, Instant at, String how) {
    }

    private final Duration connectTimeout;
    private final Clock clock;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    ProviderProbe(Duration connectTimeout, Clock clock) {
        this.connectTimeout = connectTimeout;
        this.clock = clock;
    }

    /** A call's outcome: {@code failure} null for an answer; only a failure to reach the provider makes it unreachable. */
    void called(String provider, ProviderError failure) {
        if (failure == null) {
            seen.put(provider, new Seen(true, null, clock.instant(), "call"));
        } else if (failure.kind() == ProviderError.Kind.CONNECTION || failure.kind() == ProviderError.Kind.TIMEOUT) {
            seen.put(provider, new Seen(false, failure.kind().code() + ": " + failure.getMessage(), clock.instant(), "call"));
        }
    }

    /** What is known of {@code provider} at {@code base}: the last call's word while it is recent, else a probe's. */
    Seen check(String provider, URI base) {
        Seen last = seen.get(provider);
        Instant now = clock.instant();
        if (last != null && Duration.between(last.at(), now).compareTo(PROBE_EVERY) < 0) {
            return last;
        }
        Seen probed = probe(base, now);
        seen.put(provider, probed);
        return probed;
    }

    /** A probe's answer by {@code deadline} (System.nanoTime); a probe still running then says so, as unreachable. */
    Seen await(java.util.concurrent.Future<Seen> probe, long deadline) {
        try {
            return probe.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Seen(false, "connection: no answer to the probe within " + connectTimeout.toMillis() + " ms (name lookup or connect)",
                    clock.instant(), "probe");
        } catch (java.util.concurrent.ExecutionException e) {
            return new Seen(false, "connection: the probe failed: " + e.getCause(), clock.instant(), "probe");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Seen(false, "connection: interrupted while probing", clock.instant(), "probe");
        }
    }

    private Seen probe(URI base, Instant now) {
        String host = base.getHost();
        int port = base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            return new Seen(true, null, now, "probe");
        } catch (IOException | IllegalArgumentException e) {
            return new Seen(false, "connection: " + host + ":" + port + " " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), now, "probe");
        }
    }
}
