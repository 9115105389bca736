package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Test;

/** vectord as a process: acknowledged writes survive kill -9; a graceful stop snapshots and the restart replays nothing. */
class VectordIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void kill9_midStreamOfWrites_losesNoAcknowledgedPoint() throws Exception {
        try (Stack stack = Stack.builder().daemon(DaemonId.VECTORD, Map.of("VECTORD_SNAPSHOT_INTERVAL", "0")).start()) {
            ManagedDaemon vectord = stack.daemon("vectord");
            URI url = vectord.url();
            assertThat(send(url, "PUT", "/v1/indexes/durable", "{\"dims\":16,\"metric\":\"cosine\"}").statusCode()).isEqualTo(201);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean go = new AtomicBoolean(true);
            try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    writers.submit(() -> {
                        for (int batch = 0; go.get(); batch++) {
                            StringBuilder body = new StringBuilder("{\"points\":[");
                            for (int i = 0; i < 50; i++) {
                                body.append(i == 0 ? "" : ",").append("{\"id\":\"w").append(writer).append('-').append(batch)
                                        .append('-').append(i).append("\",\"vector\":[");
                                for (int d = 0; d < 16; d++) {
                                    body.append(d == 0 ? "" : ",").append((writer * 7 + batch * 3 + i + d) % 11 + 1);
                                }
                                body.append("],\"payload\":{\"writer\":").append(writer).append(",\"batch\":").append(batch).append("}}");
                            }
                            try {
                                HttpResponse<String> r = send(url, "POST", "/v1/indexes/durable/points", body.append("]}").toString());
                                if (r.statusCode() == 200) {
                                    for (int i = 0; i < 50; i++) {
                                        acknowledged.add("w" + writer + "-" + batch + "-" + i);
                                    }
                                }
                            } catch (Exception e) {
                                return;   // killed under us
                            }
                        }
                    });
                }
                while (acknowledged.size() < 3000) {
                    Thread.sleep(5);
                }
                assertThat(vectord.kill9()).isEqualTo(137);
                go.set(false);
            }
            vectord.start(Stack.READY_TIMEOUT);
            JsonNode index = Json.mapper().readTree(send(url, "GET", "/v1/indexes/durable", null).body());
            assertThat(index.path("count").asLong()).isGreaterThanOrEqualTo(acknowledged.size());
            for (String id : acknowledged) {
                HttpResponse<String> p = send(url, "GET", "/v1/indexes/durable/points/" + id, null);
                assertThat(p.statusCode()).as(id).isEqualTo(200);
                assertThat(Json.mapper().readTree(p.body()).path("payload").has("batch")).isTrue();
            }
            assertThat(send(url, "POST", "/v1/indexes/durable/search", "{\"vector\":[1,2,3,4,5,6,7,8,9,10,11,1,2,3,4,5],\"k\":5}")
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void gracefulStop_writesASnapshot_andTheRestartReplaysNothing() throws Exception {
        try (Stack stack = Stack.builder().daemon(DaemonId.VECTORD, Map.of("VECTORD_SNAPSHOT_INTERVAL", "0")).start()) {
            ManagedDaemon vectord = stack.daemon("vectord");
            URI url = vectord.url();
            send(url, "PUT", "/v1/indexes/calm", "{\"dims\":2,\"metric\":\"dot\"}");
            send(url, "POST", "/v1/indexes/calm/points", "{\"points\":[{\"id\":\"a\",\"vector\":[1,2]},{\"id\":\"b\",\"vector\":[3,4]}]}");
            assertThat(vectord.stop(Stack.STOP_GRACE)).isZero();
            vectord.start(Stack.READY_TIMEOUT);
            assertThat(awaitLogLine(vectord, "index calm: 2 points")).contains("(2 from graph, 0 WAL records)");
            JsonNode hit = Json.mapper().readTree(send(url, "POST", "/v1/indexes/calm/search", "{\"vector\":[1,1],\"k\":1}").body());
            assertThat(hit.path("hits").get(0).path("id").asText()).isEqualTo("b");
            assertThat(hit.path("hits").get(0).path("score").asDouble()).isEqualTo(7.0);
        }
    }

    /** Log lines are written by a background thread: wait for one rather than race it. */
    static String awaitLogLine(ManagedDaemon d, String part) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : d.logLines()) {
                if (line.contains(part)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with '" + part + "' in\n" + d.logTail());
    }

    static HttpResponse<String> send(URI url, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
