package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Lines formatted on the writer thread still carry the request of the thread that logged them, and none is lost. */
class AsyncLineHandlerTest {
    @Test
    void eachLine_carriesItsLoggersRequestId_andAFullQueueLosesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Logs.AsyncLineHandler handler = new Logs.AsyncLineHandler(new Logs.JsonFormatter("test"), out, 4);   // a queue that fills
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int n = t;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 250; i++) {
                    RequestContext.set("req-" + n + "-" + i);
                    LogRecord r = new LogRecord(Level.INFO, "request");
                    r.setLoggerName("lakehouse.access");
                    r.setParameters(new Object[] {Map.of("i", i, "thread", n)});
                    handler.publish(r);
                    RequestContext.clear();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        handler.flush();
        Thread.sleep(100);   // the writer's last batch
        handler.flush();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1000);
        for (String line : lines) {
            JsonNode n = Json.mapper().readTree(line);
            assertThat(n.path("request_id").asText()).isEqualTo("req-" + n.path("thread").asInt() + "-" + n.path("i").asInt());
        }
        RequestContext.set("other");
        assertThat(new Logs.JsonFormatter("test").format(new LogRecord(Level.INFO, "x"), null)).doesNotContain("request_id");
        RequestContext.clear();
    }
}
