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
import dev.lakehouse.common.testing.StubServer;
import dev.lakehouse.common.EnvConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cutover CLI against a stand-in gateway (its admin API as documented) and rollback targets that are down, hung,
 * not ready, failing on the route, or fine: a dead target is refused before anything changes, --force and --dry-run do
 * what they say, a refused PUT (journald down, a conflict) is reported with the gateway's reason.
 */
class CutoverCommandTest {
    @TempDir
    Path home;
    HttpServer gateway;
    HttpServer target;
    final List<String> puts = new CopyOnWriteArrayList<>();
    final AtomicInteger readyStatus = new AtomicInteger(200);
    final AtomicInteger routeStatus = new AtomicInteger(405);
    volatile int readyDelayMs;
    volatile int putStatus = 200;
    volatile String version = "v1";
    volatile String putAnswer = "{\"before\":\"v1\",\"table\":{\"version\":\"v2\"},\"journal\":{\"seq\":7}}";



    @BeforeEach
    void start() throws Exception {
        target = StubServer.start(x -> {
            if (x.getRequestURI().getPath().equals("/ready")) {
                try {
                    Thread.sleep(readyDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answer(x, readyStatus.get(), "{}");
            } else {
                answer(x, routeStatus.get(), "{}");
            }
        });
        gateway = StubServer.start(x -> {
            String path = x.getRequestURI().getPath();
            if (x.getRequestMethod().equals("PUT")) {
                puts.add(x.getRequestURI() + " " + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (putStatus == 200) {
                    version = "v2";   // the gateway runs what it took
                }
                answer(x, putStatus, putAnswer);
            } else if (path.equals("/admin/routes")) {
                answer(x, 200, "{\"version\":\"" + version + "\",\"replica\":\"gw\",\"routes\":[{\"prefix\":\"/v1/validate\",\"target\":\"local\","
                        + "\"mode\":\"shadow\",\"legacy\":\"" + url(target) + "\",\"sample\":1.0}]}");
            } else if (path.equals("/admin/parity")) {
                answer(x, 200, "{\"routes\":[{\"route\":\"/v1/validate\",\"results\":{\"match\":95,\"diff\":5}}]}");
            } else {
                answer(x, 404, "{}");
            }
        });
    }

    @AfterEach
    void stop() {
        gateway.stop(0);
        target.stop(0);
    }


    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        LocalStack stack = new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_URL", url(gateway))));
        int code = LakehouseCli.execute(stack, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return code + "\n" + out + err;
    }

    @Test
    void rollback_toATargetThatDoesNotServe_isRefusedBeforeAnythingChanges() {
        assertThat(run("cutover", "rollback", "/v1/validate", "--legacy", "http://127.0.0.1:9"))
                .startsWith("1\n").contains("refused", "does not answer");
        readyStatus.set(503);
        assertThat(run("cutover", "rollback", "/v1/validate")).startsWith("1\n").contains("is not ready", "503");
        readyStatus.set(200);
        routeStatus.set(502);
        assertThat(run("cutover", "rollback", "/v1/validate")).startsWith("1\n").contains("fails on the route itself", "502");
        routeStatus.set(405);
        readyDelayMs = 3000;
        assertThat(run("cutover", "rollback", "/v1/validate", "--probe-timeout", "1")).startsWith("1\n").contains("within 1 s", "hung");
        assertThat(puts).as("nothing was sent to the gateway").isEmpty();
    }

    @Test
    void rollback_toALiveTarget_saysWhatItDoes_andSendsTheTable_withTheVersionItRead() {
        String out = run("cutover", "rollback", "/v1/validate");
        assertThat(out).startsWith("0\n").contains("cutover.rollback /v1/validate: " + url(target) + " serves again",
                "parity 0.9500 over 100 compared", "table v1 -> v2 (journal seq 7)");
        assertThat(puts).singleElement().satisfies(p -> assertThat(p).startsWith("/admin/routes ").contains("\"expect_version\":\"v1\"",
                "\"type\":\"cutover.rollback\"", "\"target\":\"" + url(target) + "\"", "\"mode\":\"serve\"", "\"probe\":\"ok\""));
    }

    @Test
    void force_dryRun_andTheGatewaysRefusals() {
        assertThat(run("cutover", "rollback", "/v1/validate", "--legacy", "http://127.0.0.1:9", "--force"))
                .startsWith("0\n").contains("FORCED");
        assertThat(puts).singleElement().satisfies(p -> assertThat(p).startsWith("/admin/routes?force=true "));
        puts.clear();
        version = "v1";
        assertThat(run("cutover", "shadow", "/v1/memory", "--legacy", url(target), "--shadow-writes", "--dry-run"))
                .startsWith("0\n").contains("WARNING", "writes are copied too", "dry run", "\"shadow_writes\" : true");
        assertThat(puts).isEmpty();
        version = "v1";
        putStatus = 503;
        putAnswer = "{\"code\":\"journal_unavailable\",\"detail\":\"journald cannot take the entry; repeat with force\"}";
        assertThat(run("cutover", "rollback", "/v1/validate")).startsWith("1\n").contains("refused (503 journal_unavailable)", "force");
        putStatus = 409;
        putAnswer = "{\"code\":\"table_changed\",\"detail\":\"the cutover table is at version v9\"}";
        assertThat(run("cutover", "rollback", "/v1/validate")).startsWith("1\n").contains("table_changed", "v9", "nothing changed");
    }

    @Test
    void switch_belowItsParity_isRefused_sayingTheParity() {
        // the route is served locally already in this table: shadow it first
        assertThat(run("cutover", "switch", "/v1/validate")).startsWith("1\n").contains("local already");
        assertThat(puts).isEmpty();
    }
}
