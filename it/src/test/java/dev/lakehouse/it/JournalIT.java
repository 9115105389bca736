package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Test;

/** journald as a process: kill -9 in the middle of concurrent appends loses no acknowledged entry and breaks no chain. */
class JournalIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void kill9DuringAppends_keepsEveryAcknowledgedEntry_andTheChainVerifies_thenAnEditIsNamed() throws Exception {
        try (Stack stack = Stack.builder().daemon(DaemonId.JOURNALD, Map.of("JOURNALD_SEGMENT_BYTES", "65536")).start()) {
            ManagedDaemon journald = stack.daemon("journald");
            URI url = journald.url();
            Map<Long, String> acknowledged = new ConcurrentHashMap<>();   // seq -> hash
            AtomicBoolean go = new AtomicBoolean(true);
            try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    writers.submit(() -> {
                        for (int i = 0; go.get(); i++) {
                            try {
                                HttpResponse<String> r = post(url, "{\"type\":\"test.append\",\"actor\":\"writer-" + writer
                                        + "\",\"subject\":\"n" + i + "\",\"data\":{\"i\":" + i + ",\"w\":" + writer + "}}");
                                if (r.statusCode() == 201) {
                                    JsonNode a = Json.mapper().readTree(r.body());
                                    acknowledged.put(a.path("seq").asLong(), a.path("hash").asText());
                                }
                            } catch (Exception e) {
                                return;   // the daemon died under us: expected
                            }
                        }
                    });
                }
                while (acknowledged.size() < 400) {
                    Thread.sleep(5);
                }
                assertThat(journald.kill9()).isEqualTo(137);
                go.set(false);
            }

            journald.start(Stack.READY_TIMEOUT);
            JsonNode verify = get(url, "/v1/journal/verify");
            assertThat(verify.path("ok").asBoolean()).as(verify.toString()).isTrue();
            long entries = verify.path("entries").asLong();
            assertThat(entries).isGreaterThanOrEqualTo(acknowledged.size());
            JsonNode page = get(url, "/v1/journal/entries?from_seq=1&limit=10000");
            Map<Long, String> stored = new ConcurrentHashMap<>();
            page.path("entries").forEach(e -> stored.put(e.path("seq").asLong(), e.path("hash").asText()));
            assertThat(stored).containsAllEntriesOf(acknowledged);

            JsonNode next = Json.mapper().readTree(post(url, "{\"type\":\"test.after\",\"actor\":\"it\"}").body());
            assertThat(next.path("seq").asLong()).as("the chain resumes").isEqualTo(entries + 1);

            assertThat(journald.stop(Stack.STOP_GRACE)).isZero();
            long tampered = 7;
            Path segment = segmentHolding(stack.dataRoot().resolve("journald/segments"), tampered);
            List<String> lines = Files.readAllLines(segment);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("\"seq\":" + tampered + ",")) {
                    lines.set(i, lines.get(i).replaceFirst("\"actor\":\"writer-", "\"actor\":\"wrIter-"));
                }
            }
            Files.write(segment, lines);
            journald.start(Stack.READY_TIMEOUT);
            JsonNode broken = get(url, "/v1/journal/verify");
            assertThat(broken.path("ok").asBoolean()).isFalse();
            assertThat(broken.path("first_bad_seq").asLong()).isEqualTo(tampered);
        }
    }

    private static Path segmentHolding(Path dir, long seq) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().filter(p -> Long.parseLong(p.getFileName().toString().substring(0, 20)) <= seq)
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    private static HttpResponse<String> post(URI url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url.resolve("/v1/journal/entries")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(URI url, String path) throws Exception {
        return Json.mapper().readTree(HTTP.send(HttpRequest.newBuilder(url.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }
}
