package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes the gateway holds whole stay within its budget: concurrent bodies past it
 * stream instead, every one arriving intact, and a shadow that would not fit is not copied.
 */
class BufferBudgetTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    HttpServer upstream;
    DaemonServer gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.stop();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void takes_neverPassTheCapacity_evenConcurrently() throws Exception {
        BufferBudget budget = new BufferBudget(1_000);
        AtomicLong peak = new AtomicLong();
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        BufferBudget.Held held = new BufferBudget.Held(budget);
                        if (held.take(300)) {
                            peak.accumulateAndGet(budget.used(), Math::max);
                        }
                        held.giveBack();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(peak.get()).isPositive().isLessThanOrEqualTo(1_000);
        assertThat(budget.used()).isZero();
        assertThat(budget.tryTake(1_001)).isFalse();
        assertThat(budget.tryTake(1_000)).isTrue();
    }

    /** An echo behind the gateway as chatd; each request waits for the latch so that they overlap. */
    void startWith(int budgetMib, CountDownLatch together, String routes) throws Exception {
        upstream = HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            together.countDown();
            try {
                together.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.getResponseHeaders().add("Content-Type", "application/octet-stream");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        upstream.start();
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort();
        Map<String, String> vars = new java.util.HashMap<>(Map.of("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR",
                dir.resolve("data").toString(), "LAKEHOUSE_CHATD_URL", url, "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_JOURNALD_URL", "http://127.0.0.1:9", "GATEWAY_BUFFER_BUDGET_MIB", Integer.toString(budgetMib)));
        if (routes != null) {
            Path file = Files.writeString(dir.resolve("routes.json"), routes.replace("LEGACY", url));
            vars.put("LAKEHOUSE_ROUTES_FILE", file.toString());
        }
        EnvConfig env = EnvConfig.of(vars);
        gateway = GatewayMain.builder(GatewayConfig.from(env), env).embedded().start();
    }

    HttpResponse<byte[]> post(byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    double gauge() throws Exception {
        return metric("gateway_buffered_bytes");
    }

    double metric(String name) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith(name + "{")).mapToDouble(l -> Double.parseDouble(l.substring(
                l.lastIndexOf(' ') + 1))).findFirst().orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
    }

    @Test
    void bodiesPastTheBudget_stream_andAllArriveIntact_andTheBudgetComesBack() throws Exception {
        int n = 12;
        CountDownLatch together = new CountDownLatch(n);
        startWith(1, together, null);   // 1 MiB: four 200 KiB bodies at most held at once, the other eight stream
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] body = new byte[200 * 1024];
                Arrays.fill(body, (byte) ('a' + i));
                bodies.add(body);
                answers.add(pool.submit(() -> post(body)));
            }
            for (int i = 0; i < n; i++) {
                HttpResponse<byte[]> r = answers.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(bodies.get(i));
            }
        }
        assertThat(gauge()).isZero();
        // 24 bodies of 200 KiB (12 requests, 12 answers) through a 1 MiB budget: most streamed
        assertThat(metric("gateway_buffer_refusals_total")).isGreaterThanOrEqualTo(7);
    }

    @Test
    void aShadowThatWouldNotFit_isNotCopied_andTheCallerIsServed() throws Exception {
        startWith(1, new CountDownLatch(0), "{\"routes\":[{\"prefix\":\"/v1/chat\",\"target\":\"local\",\"mode\":\"shadow\","
                + "\"legacy\":\"LEGACY\",\"shadow_paid\":true}]}");
        byte[] body = new byte[900 * 1024];   // within the shadow's 1 MiB, but body + two answers pass a 1 MiB budget
        Arrays.fill(body, (byte) 'x');
        HttpResponse<byte[]> r = post(body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
        var parity = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                + "/admin/parity?route=/v1/chat")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(parity.path("routes").get(0).path("results").path("no_buffer").asLong()).isEqualTo(1);
        assertThat(gauge()).isZero();
    }
}
