/*
 * Benchmark driver for scripts/bench/observer.sh (a single-file Java program,
 * run with the distillation jar and its libs on the class path).
 *
 *   throughput <observerd-url> <seconds> <connections>   events/s accepted, batches of 100, fsync on
 *   latency <observerd-url|down|slow> <calls>             time observe() takes on the caller's thread
 */
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.PeerClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

public class ObserverBench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "throughput" -> throughput(URI.create(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "latency" -> latency(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void throughput(URI url, int seconds, int connections) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        AtomicLong events = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        String payload = "{\"provider\":\"ollama\",\"model\":\"qwen2.5:7b\",\"latency_ms\":812,\"tokens\":431}";
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                int conn = c;
                pool.submit(() -> {
                    for (long n = 0; System.nanoTime() < end; n++) {
                        StringBuilder sb = new StringBuilder(20_000).append("{\"events\":[");
                        for (int i = 0; i < 100; i++) {
                            sb.append(i == 0 ? "" : ",").append("{\"event_id\":\"b-").append(conn).append('-').append(n).append('-')
                                    .append(i).append("\",\"ts\":\"2026-11-22T10:00:00Z\",\"kind\":\"bench.event\",\"daemon\":\"bench\",\"payload\":")
                                    .append(payload).append('}');
                        }
                        sb.append("]}");
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/v1/observe/events"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 202) {
                            throw new IllegalStateException(r.statusCode() + " " + r.body());
                        }
                        events.addAndGet(100);
                        requests.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("observerd accepted %,d events in %,d batches of 100 in %.1f s with %d connections: %,.0f events/s (%,.0f batches/s)%n",
                events.get(), requests.get(), s, connections, events.get() / s, requests.get() / s);
    }

    static void latency(String target, int calls) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        DaemonServer slow = null;
        URI url;
        switch (target) {
            case "down" -> {
                try (ServerSocket socket = new ServerSocket(0)) {
                    url = URI.create("http://127.0.0.1:" + socket.getLocalPort());
                }
            }
            case "slow" -> {
                slow = DaemonServer.builder("slowobserverd", EnvConfig.of(Map.of("LAKEHOUSE_SLOWOBSERVERD_PORT", "0")), 0)
                        .embedded()
                        .routing(r -> r.post("/v1/observe/events", (req, res) -> {
                            req.content().consume();
                            Thread.sleep(3_000);   // longer than the client's 2 s timeout
                            res.status(202).send("{}");
                        }))
                        .start();
                url = URI.create("http://127.0.0.1:" + slow.port());
            }
            default -> url = URI.create(target);
        }
        Path dir = Files.createTempDirectory("observer-bench-");
        PeerClient client = new PeerClient("observerd", url,
                new PeerClient.Options(Duration.ofMillis(500), Duration.ofSeconds(2), 0, Duration.ZERO, 3, Duration.ofSeconds(2)));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Observer observer = new Observer("bench", client, dir, 10_000, Duration.ofSeconds(5), registry);
        Map<String, Object> payload = Map.of("provider", "ollama", "model", "qwen2.5:7b", "latency_ms", 812, "tokens", 431);
        for (int i = 0; i < 20_000; i++) {   // warm-up, paced like the measurement
            observer.observe("bench.warmup", payload);
            LockSupport.parkNanos(100_000);
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            observer.observe("bench.event", payload);
            nanos[i] = System.nanoTime() - t0;
            LockSupport.parkNanos(100_000);   // ~10,000 observations/s, as a busy daemon
        }
        Arrays.sort(nanos);
        System.out.printf("observe() with observerd %-5s: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs over %,d calls"
                        + " (sent %,.0f, spooled %,.0f, replayed %,.0f, dropped %,.0f)%n",
                target.startsWith("http") ? "up" : target, nanos[calls / 2] / 1e3, nanos[(int) (calls * 0.99)] / 1e3,
                nanos[(int) (calls * 0.999)] / 1e3, nanos[calls - 1] / 1e3, calls,
                count(registry, "sent"), count(registry, "spooled"), count(registry, "replayed"), count(registry, "dropped"));
        observer.close();
        if (slow != null) {
            slow.stop();
        }
    }

    static double count(SimpleMeterRegistry r, String outcome) {
        return r.get("observer.events").tag("outcome", outcome).counter().count();
    }
}
