package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.KitDaemon;
import org.junit.jupiter.api.Test;

/** Stopping and killing a real daemon process: SIGTERM drains and flushes and exits 0; kill -9 is detected; restart works. */
class KitLifecycleIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void sigterm_finishesInFlight_runsFlushHook_exitsZero() throws Exception {
        try (Stack stack = Stack.builder().testDaemon("kitd", KitDaemon.class, Map.of()).start()) {
            ManagedDaemon kitd = stack.daemon("kitd");
            post(kitd, "{\"things\":[{\"id\":\"a\",\"vector\":[1],\"count\":1},{\"id\":\"b\",\"vector\":[2],\"count\":2}]}");
            CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(
                    HttpRequest.newBuilder(kitd.url().resolve("/v1/slow?ms=1500")).build(), HttpResponse.BodyHandlers.ofString());
            awaitAccepted(kitd);
            int exit = kitd.stop(Stack.STOP_GRACE);
            assertThat(exit).as(kitd.logTail()).isZero();
            assertThat(inFlight.get().statusCode()).as("the in-flight request finished").isEqualTo(200);
            Path flushed = stack.dataRoot().resolve("kitd").resolve("flushed");
            assertThat(flushed).exists();
            assertThat(Files.readString(flushed)).isEqualTo("2");
            assertThat(kitd.logLines()).anyMatch(l -> l.contains("\"stopped kitd\""));
        }
    }

    @Test
    void kill9_isDetected_andRestartWorks() throws Exception {
        try (Stack stack = Stack.builder().testDaemon("kitd", KitDaemon.class, Map.of()).start()) {
            ManagedDaemon kitd = stack.daemon("kitd");
            assertThat(kitd.status("/health")).isEqualTo(200);
            long firstPid = kitd.pid();
            int exit = kitd.kill9();
            assertThat(exit).isEqualTo(137);
            assertThat(kitd.isAlive()).isFalse();
            assertThat(kitd.status("/health")).as("nothing answers after kill -9").isEqualTo(-1);
            assertThat(stack.dataRoot().resolve("kitd").resolve("flushed")).as("no flush on kill -9").doesNotExist();

            kitd.start(Stack.READY_TIMEOUT);
            assertThat(kitd.pid()).isNotEqualTo(firstPid);
            assertThat(kitd.status("/ready")).isEqualTo(200);
            assertThat(post(kitd, "{\"things\":[{\"id\":\"c\",\"vector\":[3],\"count\":3}]}").statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> post(ManagedDaemon d, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(d.url().resolve("/v1/things"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the slow handler is running (it logs when it starts). */
    private static void awaitAccepted(ManagedDaemon d) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (d.logLines().stream().anyMatch(l -> l.contains("slow request started"))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the slow request never started:\n" + d.logTail());
    }
}
