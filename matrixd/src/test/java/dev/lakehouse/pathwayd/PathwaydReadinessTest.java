package dev.lakehouse.pathwayd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.testing.StubServer;
import dev.lakehouse.common.testing.TestHttp;
import dev.lakehouse.matrixd.FakePeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * READY means usable (issue 35): while embedd loads its model, pathwayd is up but not ready — its /ready says it waits
 * for embedd, and it does not call embedd meanwhile (so no breaker opens on a peer that is only starting) — and once it
 * is ready its first search answers 200, never 503 {@code index_not_ready}.
 */
class PathwaydReadinessTest {
    @TempDir
    Path dir;

    @Test
    void notReadyWhileEmbeddLoads_readyWhenItIs_andTheFirstSearchAfterReadyAnswers() throws Exception {
        AtomicBoolean embeddReady = new AtomicBoolean(false);
        AtomicInteger embeds = new AtomicInteger();
        DaemonServer embedd = FakePeers.wordsEmbedd(embeds, embeddReady::get);
        FakePeers.Vectord vectord = new FakePeers.Vectord();
        HttpServer journald = StubServer.start(x -> StubServer.answer(x, 201, "{\"seq\":1}"));
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_PATHWAYD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_EMBEDD_URL", "http://127.0.0.1:" + embedd.port(), "LAKEHOUSE_VECTORD_URL", vectord.url(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9", "LAKEHOUSE_JOURNALD_URL", StubServer.url(journald)));
        DaemonServer pathwayd = PathwaydMain.builder(PathwaydConfig.from(env), env).embedded().start();
        try {
            TestHttp http = new TestHttp(pathwayd::port);
            HttpResponse<String> ready = null;
            for (int i = 0; i < 40; i++) {   // two seconds of embedd loading
                ready = http.get("/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                Thread.sleep(50);
            }
            assertThat(ready.body()).contains("waiting for embedd", "\"waiting_for\":[\"embedd\"]");
            assertThat(http.get("/health").statusCode()).isEqualTo(200);
            assertThat(embeds.get()).as("no call to embedd while it is not ready").isZero();

            embeddReady.set(true);
            for (int i = 0; i < 200 && http.get("/ready").statusCode() != 200; i++) {
                Thread.sleep(25);
            }
            assertThat(http.get("/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> search = http.send("POST", "/v1/memory/search", "{\"query\":\"night shifts\",\"k\":3}");
            assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
        } finally {
            pathwayd.stop();
            embedd.stop();
            vectord.server.stop();
            journald.stop(0);
        }
    }
}
