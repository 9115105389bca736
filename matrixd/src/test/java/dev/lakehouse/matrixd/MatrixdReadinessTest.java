package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * READY means usable (issue 35): matrixd embeds every query, so while embedd loads its model matrixd is up but not
 * ready, names embedd as what it waits for, and makes no embedding call; then it is ready and stays ready.
 */
class MatrixdReadinessTest {
    @TempDir
    Path dir;

    @Test
    void notReadyWhileEmbeddLoads_namingIt_readyWhenItIs() throws Exception {
        AtomicBoolean embeddReady = new AtomicBoolean(false);
        AtomicInteger embeds = new AtomicInteger();
        DaemonServer embedd = FakePeers.wordsEmbedd(embeds, embeddReady::get);
        FakePeers.Vectord vectord = new FakePeers.Vectord();
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_MATRIXD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_EMBEDD_URL", "http://127.0.0.1:" + embedd.port(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_CHATD_URL", "http://127.0.0.1:9", "MATRIXD_VECTORD_URLS", vectord.url()));
        DaemonServer matrixd = MatrixdMain.builder(MatrixdConfig.from(env), env).embedded().start();
        try {
            TestHttp http = new TestHttp(matrixd::port);
            HttpResponse<String> ready = null;
            for (int i = 0; i < 30; i++) {
                ready = http.get("/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                Thread.sleep(50);
            }
            assertThat(ready.body()).contains("waiting for embedd to be ready", "\"waiting_for\":[\"embedd\"]");
            assertThat(embeds.get()).isZero();

            embeddReady.set(true);
            for (int i = 0; i < 200 && http.get("/ready").statusCode() != 200; i++) {
                Thread.sleep(25);
            }
            assertThat(http.get("/ready").statusCode()).isEqualTo(200);
            embeddReady.set(false);   // a later outage of embedd: a call's 503, not matrixd going unready
            assertThat(http.get("/ready").statusCode()).isEqualTo(200);
        } finally {
            matrixd.stop();
            embedd.stop();
            vectord.server.stop();
        }
    }
}
