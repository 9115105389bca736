package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import dev.lakehouse.common.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** What /v1/providers is told of a provider's reachability: calls first, then a probe, and never a hang. */
class ProviderProbeTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    final ProviderProbe probe = new ProviderProbe(Duration.ofMillis(300), clock);

    @Test
    void aListeningPort_isReachable_aClosedOne_isNot_andARecentCallIsBelievedOverAProbe() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
            assertThat(probe.check("open", URI.create("http://127.0.0.1:" + closed)).reachable()).isTrue();
        }
        ProviderProbe.Seen refused = probe.check("gone", URI.create("http://127.0.0.1:" + closed));
        assertThat(refused.reachable()).isFalse();
        assertThat(refused.error()).contains("127.0.0.1:" + closed);
        probe.called("gone", null);   // a call answered since
        assertThat(probe.check("gone", URI.create("http://127.0.0.1:" + closed)).how()).isEqualTo("call");
        clock.advance(ProviderProbe.PROBE_EVERY);   // the call's word is old: probed again
        assertThat(probe.check("gone", URI.create("http://127.0.0.1:" + closed)).reachable()).isFalse();
        probe.called("gone", new ProviderError(ProviderError.Kind.REJECTED, "bad request"));
        assertThat(probe.check("gone", URI.create("http://127.0.0.1:" + closed)).how()).as("a rejection says nothing of reachability")
                .isEqualTo("probe");
    }

    @Test
    void aProbeStillRunningAtTheDeadline_isReportedUnreachable_notWaitedFor() {
        ProviderProbe.Seen seen = probe.await(new CompletableFuture<>(), System.nanoTime() + 200_000_000L);
        assertThat(seen.reachable()).isFalse();
        assertThat(seen.error()).contains("no answer to the probe");
    }
}
