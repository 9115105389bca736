package dev.lakehouse.cli;

import static dev.lakehouse.common.testing.StubServer.answer;
import static dev.lakehouse.common.testing.StubServer.url;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.testing.StubServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lakehouse erase} against a stand-in gateway speaking the documented privacy API: the request it sends (subject,
 * identifiers, reason, the key), the job followed to its end, the table and the exit status for clean, not clean and
 * refused.
 */
class EraseCommandTest {
    @TempDir
    Path home;
    HttpServer gateway;
    final List<String> posted = new CopyOnWriteArrayList<>();
    final List<String> keys = new CopyOnWriteArrayList<>();
    final AtomicInteger polls = new AtomicInteger();
    volatile long matches;
    volatile int postStatus = 202;

    @BeforeEach
    void start() throws Exception {
        gateway = StubServer.start(x -> {
            keys.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            if (x.getRequestMethod().equals("POST")) {
                posted.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                answer(x, postStatus, postStatus == 202 ? "{\"id\":\"er-1\",\"state\":\"running\",\"existing\":false,\"steps\":{}}"
                        : "{\"code\":\"invalid_field\",\"field\":\"identifiers[0]\"}");
                return;
            }
            boolean done = polls.incrementAndGet() >= 3;
            answer(x, 200, "{\"id\":\"er-1\",\"state\":\"" + (done ? "done" : "running") + "\",\"steps\":{"
                    + "\"vectord\":{\"state\":\"done\",\"result\":{\"points_removed\":4,\"scan\":{\"files\":3,\"bytes\":900,\"matches\":0}}},"
                    + "\"pathwayd\":{\"state\":\"" + (done ? "done" : "waiting") + "\",\"last_error\":\"pathwayd answered 503\","
                    + "\"result\":{\"versions_purged\":2,\"scan\":{\"files\":2,\"bytes\":100,\"matches\":" + matches + "}}}},"
                    + "\"proof\":{\"found\":6,\"files_scanned\":5,\"bytes_scanned\":1000,\"matches\":" + matches + ",\"scan_ms\":4,"
                    + "\"clean\":" + (matches == 0) + ",\"files_with_matches\":" + (matches == 0 ? "[]" : "[\"pathwayd:memories/log.jsonl\"]") + "}}");
        });
    }

    @AfterEach
    void stop() {
        gateway.stop(0);
    }

    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_URL", url(gateway), "LAKEHOUSE_PRIVACY_KEY", "priv-key")));
        int code = LakehouseCli.execute(stack, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return code + "\n" + out + err;
    }

    @Test
    void aWorker_isErasedThroughTheGateway_followedToTheEnd_andTheProofPrinted() {
        String out = run("erase", "W000123", "--reason", "Art. 17", "--identifier", "614-555-0101");
        assertThat(out).startsWith("0\n").contains("erasure er-1", "vectord", "pathwayd", "found 6 records", "5 files", "clean");
        assertThat(posted).containsExactly("{\"subject\":\"worker:W000123\",\"identifiers\":[\"614-555-0101\"],\"reason\":\"Art. 17\"}");
        assertThat(keys).allMatch(k -> k.equals("Bearer priv-key"));
    }

    @Test
    void aScanThatStillFindsThePerson_exits1NamingTheFile_andARefusal_exits2() {
        matches = 2;
        assertThat(run("erase", "W000123")).startsWith("1\n").contains("NOT clean", "still found in pathwayd:memories/log.jsonl");
        postStatus = 400;
        assertThat(run("erase", "--identifier", "555")).startsWith("2\n").contains("refused", "identifiers[0]");
        assertThat(run("erase")).startsWith("2\n").contains("name a worker");
    }

    @Test
    void follow_takesUpAJobAlreadyStarted() {
        assertThat(run("erase", "--follow", "er-1")).startsWith("0\n").contains("done", "clean");
        assertThat(posted).isEmpty();
    }
}
