import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.KeptConnections;
import dev.lakehouse.common.PeerClient;
import io.helidon.http.Method;
import io.helidon.webclient.api.WebClient;

/**
 * What a way of keeping connections leaves in the old generation (issue 35, docs/perf.md "Kept connections"): a Helidon
 * server answering 4 KB and 8 callers in this JVM, each pausing 2 ms between calls, for N seconds, through
 * KeptConnections ("kept") or Helidon's own connection cache ("cache"); then the serial collector's old generation in
 * use, before any full collection: garbage promoted by young collections. Run with the serial collector:
 *   java -XX:+UseSerialGC -Xmx256m -Xms24m -cp "gateway/target/libs/*" scripts/bench/PromotionBench.java kept|cache [seconds=40]
 */
public class PromotionBench {
    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "kept";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        String answer = "x".repeat(4000);
        DaemonServer server = DaemonServer.builder("benchpeer", EnvConfig.of(Map.of("LAKEHOUSE_BENCHPEER_PORT", "0",
                        "LAKEHOUSE_LOG_LEVEL", "WARN")), 0)
                .embedded()
                .routing(r -> r.post("/echo", (req, res) -> {
                    req.content().as(byte[].class);
                    res.send(answer);
                }))
                .start();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        WebClient client = PeerClient.clientBuilder(Duration.ofSeconds(1)).baseUri(base).readTimeout(Duration.ofSeconds(5)).build();
        KeptConnections kept = new KeptConnections(base, client, 64);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        LongAdder calls = new LongAdder();
        try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 8; t++) {
                callers.submit(() -> {
                    while (System.nanoTime() < end) {
                        var request = client.method(Method.POST).path("/echo");
                        if (mode.equals("kept")) {
                            try (var lease = kept.lendTo(request); var r = request.submit("{}")) {
                                r.as(String.class);
                            }
                        } else {
                            try (var r = request.submit("{}")) {
                                r.as(String.class);
                            }
                        }
                        calls.increment();
                        Thread.sleep(2);
                    }
                    return null;
                });
            }
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().contains("Tenured") || pool.getName().contains("Old")) {
                System.out.printf("%s: %d calls in %d s; old generation in use %.1f MiB (%s)%n", mode, calls.sum(), seconds,
                        pool.getUsage().getUsed() / 1048576.0, pool.getName());
            }
        }
        server.stop();
        System.exit(0);
    }
}
