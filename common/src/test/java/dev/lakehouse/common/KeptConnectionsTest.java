package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * KeptConnections against real in-process Helidon servers: which connection each request came on is what the server
 * saw (the caller's port), not what the pool says about itself.
 */
class KeptConnectionsTest {
    /** The client-side ports the server has seen requests from: one per connection. */
    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();
    private DaemonServer server;
    private URI base;
    private WebClient client;

    /** A peer on a free port, and a client of it. */
    private void startPeer() {
        server = start(0);
        base = URI.create("http://127.0.0.1:" + server.port());
        client = client(base);
    }

    /** The peer goes away (its ends of the kept connections close) and comes back on the same port. */
    private void restartPeer() {
        int port = server.port();
        server.stop();
        server = start(port);
    }

    private DaemonServer start(int port) {
        return DaemonServer.builder("keptpeer", EnvConfig.of(Map.of("LAKEHOUSE_KEPTPEER_PORT", Integer.toString(port),
                        "LAKEHOUSE_LOG_LEVEL", "WARN")), 0)
                .embedded()
                .routing(r -> r
                        .post("/echo", (req, res) -> {
                            ports.add(req.remotePeer().port());
                            res.send(req.content().as(byte[].class));
                        })
                        .get("/slow", (req, res) -> {
                            Thread.sleep(1_000);
                            res.send("late");
                        }))
                .start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static WebClient client(URI base) {
        return PeerClient.clientBuilder(Duration.ofSeconds(1)).baseUri(base).readTimeout(Duration.ofSeconds(5)).build();
    }

    private String post(KeptConnections kept, String body) {
        var request = client.method(Method.POST).path("/echo");
        try (var lease = kept.lendTo(request); HttpClientResponse r = request.submit(body)) {
            return r.as(String.class);
        }
    }

    @Test
    void lend_reusesTheConnectionGivenBack_oneConnectionForSequentialCalls() {
        startPeer();
        KeptConnections kept = new KeptConnections(base, client, 4);
        for (int i = 0; i < 200; i++) {
            assertThat(post(kept, "call " + i)).isEqualTo("call " + i);
        }
        assertThat(ports).hasSize(1);
        assertThat(kept.idleCount()).isEqualTo(1);
    }

    @Test
    void lend_underConcurrency_keepsAtMostMaxKeptAndAnswersEveryCall() throws Exception {
        startPeer();
        KeptConnections kept = new KeptConnections(base, client, 3);
        try (var pool = Executors.newFixedThreadPool(8)) {
            var answers = new java.util.ArrayList<Future<String>>();
            for (int i = 0; i < 400; i++) {
                String body = "call " + i;
                answers.add(pool.submit(() -> post(kept, body)));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get()).isEqualTo("call " + i);
            }
        }
        assertThat(kept.idleCount()).isBetween(1, 3);
        assertThat(ports.size()).isLessThanOrEqualTo(400 / 2);   // connections were reused, not one per call
    }

    @Test
    void lend_afterThePeerRestarted_probesTheIdleConnectionAndTakesANewOne() {
        startPeer();
        KeptConnections probing = new KeptConnections(base, client, 4, Duration.ZERO, Duration.ofMinutes(1));
        assertThat(post(probing, "before")).isEqualTo("before");
        assertThat(probing.idleCount()).isEqualTo(1);

        restartPeer();
        assertThat(post(probing, "after")).isEqualTo("after");
        assertThat(ports).hasSize(2);       // the second call on a new connection
    }

    @Test
    void lend_withoutAProbe_aConnectionThePeerClosedFailsTheRequest() {
        // the window the probe closes: the same restart, a connection lent without a check fails its request
        startPeer();
        KeptConnections unchecked = new KeptConnections(base, client, 4, Duration.ofHours(1), Duration.ofHours(1));
        assertThat(post(unchecked, "before")).isEqualTo("before");
        restartPeer();
        assertThatThrownBy(() -> post(unchecked, "after")).isInstanceOf(RuntimeException.class);
        assertThat(unchecked.idleCount()).isZero();             // the broken connection was closed, not kept
        assertThat(post(unchecked, "again")).isEqualTo("again");
    }

    @Test
    void aFailedRequest_flushesTheOtherIdleConnections_soOnlyOneRequestPaysForAPeerRestart() {
        startPeer();
        KeptConnections unchecked = new KeptConnections(base, client, 8, Duration.ofHours(1), Duration.ofHours(1));
        var requests = new java.util.ArrayList<io.helidon.webclient.api.HttpClientRequest>();
        var leases = new java.util.ArrayList<KeptConnections.Lease>();
        for (int i = 0; i < 3; i++) {                           // three connections at once, then all three kept
            var request = client.method(Method.POST).path("/echo");
            requests.add(request);
            leases.add(unchecked.lendTo(request));
        }
        for (int i = 0; i < 3; i++) {
            try (var lease = leases.get(i); HttpClientResponse r = requests.get(i).submit("warm " + i)) {
                assertThat(r.as(String.class)).isEqualTo("warm " + i);
            }
        }
        assertThat(unchecked.idleCount()).isEqualTo(3);
        restartPeer();
        ports.clear();
        assertThatThrownBy(() -> post(unchecked, "first")).isInstanceOf(RuntimeException.class);
        assertThat(unchecked.idleCount()).isZero();             // the two others went with it
        for (int i = 0; i < 5; i++) {
            assertThat(post(unchecked, "next " + i)).isEqualTo("next " + i);
        }
        assertThat(ports).hasSize(1);
    }

    @Test
    void peerClient_aPostRightAfterThePeerDied_is503Unavailable_notABrokenConnection() {
        startPeer();
        PeerClient peer = new PeerClient("keptpeer", base, PeerClient.Options.defaults().withRetries(0, Duration.ofMillis(1)));
        assertThat(new String(peer.send(Method.POST, "/echo", "{}".getBytes(), false).body())).isEqualTo("{}");
        server.stop();                                          // within the 2 s a kept connection is lent unprobed
        assertThatThrownBy(() -> peer.send(Method.POST, "/echo", "{}".getBytes(), false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("peer_unavailable"));
        server = null;
    }

    @Test
    void peerClient_aPostRightAfterThePeerRestarted_succeedsOnANewConnection() {
        startPeer();
        PeerClient peer = new PeerClient("keptpeer", base, PeerClient.Options.defaults().withRetries(0, Duration.ofMillis(1)));
        assertThat(new String(peer.send(Method.POST, "/echo", "{\"a\":1}".getBytes(), false).body())).isEqualTo("{\"a\":1}");
        restartPeer();
        ports.clear();
        assertThat(new String(peer.send(Method.POST, "/echo", "{\"a\":2}".getBytes(), false).body())).isEqualTo("{\"a\":2}");
        assertThat(ports).hasSize(1);                           // sent once, to the new process
    }

    @Test
    void closedByPeer_isEndOfStreamOrReset_neverATimeout() {
        assertThat(KeptConnections.closedByPeer(new java.io.UncheckedIOException(new java.net.SocketException("Connection reset")))).isTrue();
        assertThat(KeptConnections.closedByPeer(new RuntimeException(new java.io.EOFException()))).isTrue();
        assertThat(KeptConnections.closedByPeer(new java.io.UncheckedIOException(new java.net.SocketTimeoutException("Read timed out")))).isFalse();
        assertThat(KeptConnections.closedByPeer(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void aTimedOutRequest_closesItsConnection_andTheNextCallGetsAFreshOne() {
        startPeer();
        KeptConnections kept = new KeptConnections(base, client, 4);
        var slow = client.method(Method.GET).path("/slow").readTimeout(Duration.ofMillis(100));
        assertThatThrownBy(() -> {
            try (var lease = kept.lendTo(slow); HttpClientResponse r = slow.request()) {
                r.as(String.class);
            }
        }).isInstanceOf(RuntimeException.class);
        assertThat(kept.idleCount()).isZero();
        assertThat(post(kept, "next")).isEqualTo("next");
    }

    @Test
    void closingALeaseAfterItsConnectionWasGivenBack_leavesTheConnectionToItsNextBorrower() {
        startPeer();
        KeptConnections kept = new KeptConnections(base, client, 4);
        var first = client.method(Method.POST).path("/echo");
        KeptConnections.Lease firstLease = kept.lendTo(first);
        try (HttpClientResponse r = first.submit("one")) {
            assertThat(r.as(String.class)).isEqualTo("one");
        }                                                   // given back here
        var second = client.method(Method.POST).path("/echo");
        try (var secondLease = kept.lendTo(second)) {
            assertThat(secondLease.connection()).isSameAs(firstLease.connection());
            firstLease.close();                             // late: must not close what the second request holds
            assertThat(secondLease.connection().isConnected()).isTrue();
            try (HttpClientResponse r = second.submit("two")) {
                assertThat(r.as(String.class)).isEqualTo("two");
            }
        }
        assertThat(ports).hasSize(1);
    }

    @Test
    void supports_plainHttpOnly() {
        assertThat(KeptConnections.supports(URI.create("http://127.0.0.1:1"))).isTrue();
        assertThat(KeptConnections.supports(URI.create("HTTP://localhost"))).isTrue();
        assertThat(KeptConnections.supports(URI.create("https://127.0.0.1:1"))).isFalse();
        assertThat(KeptConnections.supports(URI.create("unix:/tmp/x"))).isFalse();
        assertThatThrownBy(() -> new KeptConnections(URI.create("https://x"), WebClient.create(), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
