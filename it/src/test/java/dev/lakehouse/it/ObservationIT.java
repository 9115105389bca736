package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.KitDaemon;
import org.junit.jupiter.api.Test;

/**
 * The observer's rule, with real processes: a daemon records observations while
 * observerd runs, is stopped, restarted and killed with -9; the daemon's requests
 * never fail, and in the end every observation is in observerd exactly once.
 */
class ObservationIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** A call of observe() that waited on the network would take at least this long. */
    static final String OBSERVER_TIMEOUT = "5s";

    final AtomicLong worstObserveMicros = new AtomicLong();
    final List<String> tags = new ArrayList<>();

    @Test
    void noObservationIsLost_orDuplicated_whileObserverdStopsRestartsAndIsKilled() throws Exception {
        try (Stack stack = Stack.builder()
                .daemon(DaemonId.OBSERVERD)
                .testDaemon("kitd", KitDaemon.class, Map.of("LAKEHOUSE_OBSERVER_TIMEOUT", OBSERVER_TIMEOUT))
                .start()) {
            ManagedDaemon observerd = stack.daemon("observerd");
            URI kitd = stack.url("kitd");

            emit(kitd, "up", 200);
            assertThat(observerd.stop(Stack.STOP_GRACE)).isZero();
            emit(kitd, "stopped", 200);
            observerd.start(Stack.READY_TIMEOUT);
            emit(kitd, "restarted", 200);

            CompletableFuture<Void> during = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10; i++) {
                    emit(kitd, "during-kill-" + i, 30);
                }
            });
            assertThat(observerd.kill9()).isEqualTo(137);
            during.join();
            emit(kitd, "killed", 200);
            observerd.start(Stack.READY_TIMEOUT);
            emit(kitd, "back", 200);

            int expected = 200 * 5 + 10 * 30;
            awaitDelivered(kitd);
            List<JsonNode> events = read(stack.url("observerd"));
            Set<String> ids = new HashSet<>();
            Set<String> keys = new HashSet<>();
            for (JsonNode e : events) {
                ids.add(e.path("event_id").asText());
                keys.add(e.path("payload").path("tag").asText() + "#" + e.path("payload").path("i").asInt());
                assertThat(e.path("daemon").asText()).isEqualTo("kitd");
            }
            assertThat(events).as("one stored line per observation").hasSize(expected);
            assertThat(ids).as("no duplicates").hasSize(expected);
            assertThat(keys).as("every observation").hasSize(expected);
            assertThat(worstObserveMicros.get()).as("observe() never waited on the network (timeout " + OBSERVER_TIMEOUT + ")")
                    .isLessThan(5_000_000);
        }
    }

    private void emit(URI kitd, String tag, int count) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(kitd.resolve("/v1/emit"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"count\":" + count + ",\"tag\":\"" + tag + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("the caller never sees an error: " + r.body()).isEqualTo(200);
            worstObserveMicros.accumulateAndGet(Json.mapper().readTree(r.body()).path("max_observe_micros").asLong(), Math::max);
            synchronized (tags) {
                tags.add(tag);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitDelivered(URI kitd) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String body = HTTP.send(HttpRequest.newBuilder(kitd.resolve("/v1/observer")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (Json.mapper().readTree(body).path("pending").asLong() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("observations still pending after 60s");
    }

    private static List<JsonNode> read(URI observerd) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(observerd.resolve("/v1/observe/events?kind=kit.emit&limit=100000")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.mapper().readTree(line));
            }
        }
        return out;
    }
}
