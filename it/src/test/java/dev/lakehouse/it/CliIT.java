package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** bin/lakehouse driving real daemons, on its own ports and directories so it never meets another stack. */
class CliIT {
    Path work;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("lakehouse-cli-it-");
        env = Map.of("LAKEHOUSE_DATA_DIR", work.resolve("data").toString(), "LAKEHOUSE_RUN_DIR", work.resolve("run").toString(),
                "LAKEHOUSE_LOG_DIR", work.resolve("logs").toString(),
                "LAKEHOUSE_OBSERVERD_PORT", Integer.toString(freePort()), "LAKEHOUSE_JOURNALD_PORT", Integer.toString(freePort()),
                "LAKEHOUSE_OBSERVERD_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "LAKEHOUSE_JOURNALD_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    }

    @AfterEach
    void tearDown() throws Exception {
        run("down", "--grace", "10");
    }

    @Test
    void up_status_restart_logs_down() throws Exception {
        Result up = run("up", "observerd", "journald");
        assertThat(up.code()).as(up.out()).isZero();
        assertThat(up.out()).containsPattern("(?m)^observerd\\s+" + env.get("LAKEHOUSE_OBSERVERD_PORT") + "\\s+\\d+\\s+UP\\s+READY");
        assertThat(Files.exists(work.resolve("run/observerd.pid"))).isTrue();
        assertThat(Files.exists(work.resolve("logs/journald.log"))).isTrue();

        // the stack's internal token: made by up (mode 600), required by journald on /v1, not on /health
        Path token = work.resolve("run/internal-token");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(Files.readString(token).strip()).matches("[0-9a-f]{64}");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI journald = java.net.URI.create("http://127.0.0.1:" + env.get("LAKEHOUSE_JOURNALD_PORT"));
        var without = http.send(java.net.http.HttpRequest.newBuilder(journald.resolve("/v1/journal/entries?limit=1")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.body()).contains("internal_token_required");
        var with = http.send(java.net.http.HttpRequest.newBuilder(journald.resolve("/v1/journal/entries?limit=1"))
                .header("X-Lakehouse-Internal-Token", Files.readString(token).strip()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(with.statusCode()).isEqualTo(200);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(journald.resolve("/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        Result status = run("status");
        assertThat(status.out()).containsPattern("(?m)^journald\\s+" + env.get("LAKEHOUSE_JOURNALD_PORT") + "\\s+\\d+\\s+UP\\s+READY\\s+\\d+ MiB");
        for (DaemonId d : DaemonId.values()) {
            Path main = Stack.repoRoot().resolve(d.module()).resolve("src/main/java")
                    .resolve(d.mainClass().replace('.', '/') + ".java");
            if (!Files.exists(main)) {   // not written yet in this checkout (later issues add them)
                assertThat(status.out()).containsPattern("(?m)^" + d.daemonName() + "\\s+\\d+\\s+-\\s+not built");
            }
        }
        assertThat(status.out().lines().filter(l -> l.matches("^[a-z]+d?\\s+\\d+\\s.*"))).hasSize(11);

        String pidBefore = Files.readString(work.resolve("run/journald.pid"));
        Result restart = run("restart", "journald");
        assertThat(restart.code()).as(restart.out()).isZero();
        assertThat(Files.readString(work.resolve("run/journald.pid"))).isNotEqualTo(pidBefore);
        assertThat(run("status").out()).containsPattern("(?m)^observerd\\s+\\d+\\s+\\d+\\s+UP");

        assertThat(run("logs", "journald", "-n", "5").out()).contains("\"daemon\":\"journald\"");

        Result down = run("down");
        assertThat(down.out()).contains("observerd stopped").contains("journald stopped");
        assertThat(run("status").out()).containsPattern("(?m)^observerd\\s+\\d+\\s+-\\s+stopped");
    }

    /**
     * With the default flags a daemon runs from an AOT cache (JDK 25+; AppCDS before), and the
     * cache always matches them: the first start is the training run, the {@code down} after it
     * makes the cache, the next start runs from it, and none prints an error (one did on every
     * start: the JDK's base CDS archive was dumped without --enable-native-access).
     */
    @Test
    void defaultFlags_useAnAotCacheOrClassDataArchive_thatMatchesThem() throws Exception {
        env = new java.util.HashMap<>(env);
        env.remove("LAKEHOUSE_JOURNALD_JAVA_OPTS");
        boolean aot = Runtime.version().feature() >= 25;
        assertThat(run("up", "journald").code()).isZero();
        Result restart = run("restart", "journald");   // stopped gracefully: its training record (or archive) is written
        assertThat(restart.code()).as(restart.out()).isZero();
        if (aot) {
            assertThat(restart.out()).contains("making the AOT caches of 1 daemon(s)");
        }
        try (var files = Files.list(work.resolve("run/cds"))) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.matches(aot ? "journald-[0-9a-f]+\\.aot" : "journald-[0-9a-f]+\\.jsa"))
                    .noneMatch(n -> n.endsWith(".aotconf") || n.endsWith(".tmp"));
        }
        String cmdline = Files.readString(Path.of("/proc", Files.readString(work.resolve("run/journald.pid")).strip(), "cmdline"));
        if (aot) {
            assertThat(cmdline).contains("-XX:AOTCache=").doesNotContain("AOTMode=record");
        }
        assertThat(run("restart", "journald").code()).isZero();   // from the cache (or base + dynamic archive) again
        String log = Files.readString(work.resolve("logs/journald.log"));
        assertThat(log).doesNotContain("[error]").doesNotContain("Mismatched values").contains("journald started");
        cmdline = Files.readString(Path.of("/proc", Files.readString(work.resolve("run/journald.pid")).strip(), "cmdline"));
        assertThat(cmdline).contains(aot ? "-XX:AOTCache=" : ".jsa:");
    }

    record Result(int code, String out) {
    }

    Result run(String... args) throws Exception {
        Path root = Stack.repoRoot();
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(root.resolve("bin/lakehouse").toString());
        pb.command().addAll(List.of(args));
        pb.environment().putAll(env);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectErrorStream(true);
        Path out = Files.createTempFile(work, "cli", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/lakehouse " + String.join(" ", args) + " hung");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
