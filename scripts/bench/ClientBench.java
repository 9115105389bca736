import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.KeptConnections;
import dev.lakehouse.common.PeerClient;
import io.helidon.http.Method;
import io.helidon.webclient.api.WebClient;

/**
 * One peer call, client side by side (issue 35): the same POST of a small JSON body to the same local Helidon server,
 * answered at once with a small JSON body, one caller at a time, through (a) Helidon's WebClient with its own
 * connection cache, (d) the same client on a connection lent by KeptConnections (what PeerClient and the gateway use),
 * (b) the JDK's HttpClient (HTTP/1.1, its own keep-alive pool), (c) PeerClient itself (kept connections, breaker,
 * headers, JSON encoding and decoding). Prints each client's p50/p99 per call; rounds alternate so that drift on a shared machine
 * touches all alike.
 *   java -cp "gateway/target/libs/*" scripts/bench/ClientBench.java [calls=20000] [rounds=3]
 */
public class ClientBench {
    record Echo(String text, int n) {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        DaemonServer server = DaemonServer.builder("benchpeer", EnvConfig.of(Map.of("LAKEHOUSE_BENCHPEER_PORT", "0",
                        "LAKEHOUSE_LOG_LEVEL", "WARN")), 0)
                .embedded()
                .routing(r -> r.post("/echo", (req, res) -> Json.send(res, 200, Json.read(req, Echo.class))))
                .start();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        byte[] body = Json.bytes(new Echo("a small request body, as a peer call sends", 42));
        WebClient helidon = PeerClient.clientBuilder(Duration.ofSeconds(2)).baseUri(base).readTimeout(Duration.ofSeconds(5)).build();
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest jdkRequest = HttpRequest.newBuilder(base.resolve("/echo")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        PeerClient peer = new PeerClient("benchpeer", base, PeerClient.Options.defaults());
        Map<String, Call> clients = new java.util.LinkedHashMap<>();
        clients.put("(a) Helidon WebClient", () -> {
            try (var r = helidon.method(Method.POST).path("/echo").header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json")
                    .submit(body)) {
                r.entity().as(byte[].class);
            }
        });
        KeptConnections kept = new KeptConnections(base, helidon, 8);
        clients.put("(d) Helidon, kept conn.", () -> {
            var request = helidon.method(Method.POST).path("/echo").header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
            try (var lease = kept.lendTo(request); var r = request.submit(body)) {
                r.entity().as(byte[].class);
            }
        });
        clients.put("(b) JDK HttpClient", () -> jdk.send(jdkRequest, HttpResponse.BodyHandlers.ofByteArray()).body());
        clients.put("(c) PeerClient", () -> peer.post("/echo", new Echo("a small request body, as a peer call sends", 42), Echo.class, false));
        for (var c : clients.entrySet()) {   // warm-up
            time(c.getValue(), calls);
        }
        System.out.printf("machine: %d cores; %s; %d calls a client a round, one at a time%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), calls);
        for (int round = 1; round <= rounds; round++) {
            for (var c : clients.entrySet()) {
                long[] t = time(c.getValue(), calls);
                System.out.printf("round %d %-24s p50 %6.1f µs  p99 %7.1f µs%n", round, c.getKey(), t[t.length / 2] / 1e3,
                        t[t.length * 99 / 100] / 1e3);
            }
        }
        server.stop();
        System.exit(0);
    }

    interface Call {
        void run() throws Exception;
    }

    static long[] time(Call c, int n) throws Exception {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            c.run();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t;
    }
}
