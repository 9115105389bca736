package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.http.Method;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PeerClient against a real in-process peer built from the kit, and against a closed port. */
class PeerClientTest {
    static DaemonServer peer;
    static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
    static final AtomicInteger POST_CALLS = new AtomicInteger();
    static volatile int flakyFailures;

    record Echo(String requestId, String body) {
    }

    @BeforeAll
    static void start() {
        peer = DaemonServer.builder("peer", EnvConfig.of(Map.of("LAKEHOUSE_PEER_PORT", "0")), 0)
                .embedded()
                .routing(r -> r
                        .get("/echo", (req, res) -> Json.send(res, 200,
                                new Echo(req.headers().first(KitFilter.REQUEST_ID).orElse(null), null)))
                        .post("/echo", (req, res) -> {
                            POST_CALLS.incrementAndGet();
                            Json.send(res, 200, new Echo(null, req.content().as(String.class)));
                        })
                        .get("/shadow", (req, res) -> Json.send(res, 200, new Echo(null, Boolean.toString(RequestContext.shadow()))))
                        .get("/origin", (req, res) -> Json.send(res, 200, new Echo(null,
                                RequestContext.caller().orElse("-") + " " + RequestContext.route().orElse("-"))))
                        .get("/bad", (req, res) -> {
                            throw new ApiException.BadRequest("bad_thing", "thing is bad");
                        })
                        .get("/missing", (req, res) -> {
                            throw new ApiException.NotFound("no_such_index", "index x does not exist");
                        })
                        .get("/boom", (req, res) -> {
                            throw new IllegalStateException("bug");
                        })
                        .get("/slow", (req, res) -> {
                            Thread.sleep(2_000);
                            res.send("late");
                        })
                        .get("/flaky", (req, res) -> {
                            if (FLAKY_CALLS.incrementAndGet() <= flakyFailures) {
                                throw new ApiException.Unavailable("warming_up", "not yet");
                            }
                            Json.send(res, 200, new Echo(null, "ok"));
                        })
                        .post("/flaky", (req, res) -> {
                            FLAKY_CALLS.incrementAndGet();
                            throw new ApiException.Unavailable("warming_up", "not yet");
                        }))
                .start();
    }

    @AfterAll
    static void stop() {
        peer.stop();
    }

    @BeforeEach
    void reset() {
        FLAKY_CALLS.set(0);
        POST_CALLS.set(0);
        RequestContext.clear();
    }

    PeerClient client(PeerClient.Options options) {
        return new PeerClient("peer", URI.create("http://127.0.0.1:" + peer.port()), options);
    }

    PeerClient client() {
        return client(PeerClient.Options.defaults().withRetries(2, Duration.ofMillis(5)));
    }

    @Test
    void get_propagatesRequestId() {
        RequestContext.set("rid-42");
        assertThat(client().get("/echo", Echo.class).requestId()).isEqualTo("rid-42");
    }

    @Test
    void aShadowCopy_isKnownToThePeer_andItsCallsAreShadowToo() throws Exception {
        assertThat(client().get("/shadow", Echo.class).body()).as("an ordinary call").isEqualTo("false");
        RequestContext.set("rid-7", true);
        assertThat(client().get("/shadow", Echo.class).body()).as("the calls made while serving a shadow copy").isEqualTo("true");
        RequestContext.set("rid-8", false);
        assertThat(client().get("/shadow", Echo.class).body()).isEqualTo("false");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String value : new String[]{"yes", "true", "0", ""}) {   // only "1" marks a copy
            String body = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.port() + "/shadow"))
                    .header(RequestContext.SHADOW_HEADER, value).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).as(value).contains("\"body\":\"false\"");
        }
        Observer.Event e = new Observer.Event("id", "2026-01-01T00:00:00Z", "k", "d", null, "{}", true);
        assertThat(new String(Json.bytes(e), java.nio.charset.StandardCharsets.UTF_8)).contains("\"shadow\":true");
        assertThat(new String(Json.bytes(new Observer.Event("id", "2026-01-01T00:00:00Z", "k", "d", null, "{}")),
                java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("shadow");
    }

    /** chatd charges a provider call to the key that caused it, however many daemons lie between (docs/chatd.md). */
    @Test
    void theCallerAndRoute_goOnToThePeer_andAnUnprintableOneIsDropped() {
        assertThat(client().get("/origin", Echo.class).body()).as("a daemon's own call").isEqualTo("- -");
        RequestContext.origin("alice", "/v1/iterate");
        assertThat(client().get("/origin", Echo.class).body()).isEqualTo("alice /v1/iterate");
        RequestContext.origin("al\u0001ice", "x".repeat(RequestContext.MAX_ID_LENGTH + 1));
        assertThat(client().get("/origin", Echo.class).body()).isEqualTo("- -");
    }

    @Test
    void post_sendsJsonBody() {
        Echo echo = client().post("/echo", Map.of("a", 1), Echo.class, false);
        assertThat(echo.body()).isEqualTo("{\"a\":1}");
    }

    @Test
    void peerProblem_isReRaisedWithStatusAndCode_namingThePeer() {
        assertThatThrownBy(() -> client().get("/bad", Echo.class))
                .isInstanceOfSatisfying(ApiException.BadRequest.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("bad_thing");
                    assertThat(e.detail()).contains("peer answered 400").contains("thing is bad");
                });
        assertThatThrownBy(() -> client().get("/missing", Echo.class))
                .isInstanceOfSatisfying(ApiException.NotFound.class, e -> assertThat(e.code()).isEqualTo("no_such_index"));
    }

    @Test
    void peer500_becomes502() {
        assertThatThrownBy(() -> client().get("/boom", Echo.class))
                .isInstanceOfSatisfying(ApiException.UpstreamFailed.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.peer()).isEqualTo("peer");
                });
    }

    @Test
    void idempotentCall_isRetriedOnTransientFailure() {
        flakyFailures = 2;
        assertThat(client().get("/flaky", Echo.class).body()).isEqualTo("ok");
        assertThat(FLAKY_CALLS.get()).isEqualTo(3);
    }

    @Test
    void nonIdempotentCall_isNotRetried() {
        assertThatThrownBy(() -> client().post("/flaky", Map.of(), Echo.class, false))
                .isInstanceOfSatisfying(ApiException.Unavailable.class, e -> assertThat(e.code()).isEqualTo("warming_up"));
        assertThat(FLAKY_CALLS.get()).isEqualTo(1);
    }

    @Test
    void timeout_is504NamingThePeer() {
        PeerClient c = client(PeerClient.Options.defaults().withReadTimeout(Duration.ofMillis(200)).withRetries(0, Duration.ZERO));
        assertThatThrownBy(() -> c.get("/slow", Echo.class))
                .isInstanceOfSatisfying(ApiException.UpstreamFailed.class, e -> {
                    assertThat(e.status()).isEqualTo(504);
                    assertThat(e.code()).isEqualTo("peer_timeout");
                    assertThat(e.detail()).contains("peer at http://127.0.0.1:");
                });
    }

    @Test
    void connectionRefused_is503_thenBreakerOpensAndFailsFast() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PeerClient c = new PeerClient("ghost", URI.create("http://127.0.0.1:" + closedPort),
                PeerClient.Options.defaults().withRetries(0, Duration.ZERO).withBreaker(2, Duration.ofMinutes(1)));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> c.get("/x", Echo.class))
                    .isInstanceOfSatisfying(ApiException.Unavailable.class, e -> {
                        assertThat(e.code()).isEqualTo("peer_unavailable");
                        assertThat(e.peer()).isEqualTo("ghost");
                        assertThat(e.detail()).contains("ghost at http://127.0.0.1:" + closedPort + " is unreachable");
                    });
        }
        assertThat(c.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> c.get("/x", Echo.class))
                .isInstanceOfSatisfying(ApiException.Unavailable.class, e -> {
                    assertThat(e.code()).isEqualTo("circuit_open");
                    assertThat(e.headers()).containsKey("Retry-After");
                });
    }

    @Test
    void clientErrors_doNotOpenTheBreaker() {
        PeerClient c = client(PeerClient.Options.defaults().withBreaker(1, Duration.ofMinutes(1)));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> c.get("/bad", Echo.class)).isInstanceOf(ApiException.BadRequest.class);
        }
        assertThat(c.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(c.send(Method.GET, "/echo", null, true).status()).isEqualTo(200);
    }
}
