package dev.lakehouse.common;

import java.time.Duration;

/**
 * A readiness check for a daemon whose answers need a peer (matrixd's retrieve needs embedd to embed the query): not
 * ready — {@code waiting_for} the peer — until the peer's own {@code /ready} has answered 200 once, polled every ¼ s on a
 * thread of its own, one try each, outside the peer client's breaker. Once seen ready it stays ready: a later outage of
 * the peer is a call's 503 naming it, not this daemon going unready (nor a restart of it, which would not help).
 */
public final class PeerGate implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(250);

    private final PeerClient peer;
    private volatile boolean ready;
    private volatile boolean closed;

    private PeerGate(PeerClient peer) {
        this.peer = peer;
    }

    /** Starts polling {@code peer}; returns at once. */
    public static PeerGate start(PeerClient peer) {
        PeerGate gate = new PeerGate(peer);
        Thread.ofVirtual().name("peer-gate-" + peer.peer()).start(gate::poll);
        return gate;
    }

    private void poll() {
        while (!closed && !ready) {
            if (peer.ready()) {
                ready = true;
                return;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public Readiness readiness() {
        return ready ? Readiness.up() : Readiness.waitingFor(peer.peer(), "waiting for " + peer.peer() + " to be ready");
    }

    @Override
    public void close() {
        closed = true;
    }
}
