package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bin/lakehouse images journald` builds the image without Docker (Jib's buildTar); its manifest and config say what
 * the daemon table and etc/jvm.env say (entrypoint with the flags and main class, non-root user, exposed port); and —
 * where this test runs as root, with no container engine here — the image's layers unpacked and run with chroot as its
 * user: journald answers /ready and stops cleanly on SIGTERM.
 */
class ImagesIT {
    static final DaemonId D = DaemonId.JOURNALD;

    @TempDir
    Path dir;

    static String run(Path cwd, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    @Test
    void theJournaldImage_isBuiltWithoutDocker_saysWhatTheTableSays_andRuns() throws Exception {
        Path repo = Stack.repoRoot();
        String built = run(repo, List.of(repo.resolve("bin/lakehouse").toString(), "images", D.daemonName()));
        assertThat(built).as(built).startsWith("0\n").contains("lakehouse/journald:0.1.0");
        Path tar = repo.resolve(D.module()).resolve("target/jib").resolve(D.daemonName() + ".tar");
        Path image = dir.resolve("image");
        Files.createDirectories(image);
        assertThat(run(image, List.of("tar", "-xf", tar.toString()))).startsWith("0\n");
        JsonNode manifest = Json.mapper().readTree(Files.readAllBytes(image.resolve("manifest.json"))).get(0);
        assertThat(manifest.path("RepoTags").toString()).contains("lakehouse/journald:0.1.0");
        JsonNode config = Json.mapper().readTree(Files.readAllBytes(image.resolve(manifest.path("Config").asText()))).path("config");
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        List<String> flags = new ArrayList<>();
        for (String l : Files.readAllLines(repo.resolve("etc/jvm.env"))) {
            if (l.startsWith("LAKEHOUSE_" + D.envName() + "_JAVA_OPTS=")) {
                flags.addAll(List.of(l.substring(l.indexOf('=') + 1).split(" ")));
            }
        }
        List<String> expected = new ArrayList<>(List.of("java"));
        expected.addAll(flags);
        expected.addAll(List.of("-cp", "@/app/jib-classpath-file", D.mainClass()));
        assertThat(entrypoint).as("the flags of etc/jvm.env and the main class").isEqualTo(expected);
        assertThat(config.path("User").asText()).isEqualTo("10001:10001");
        assertThat(config.path("ExposedPorts").has(D.defaultPort() + "/tcp")).isTrue();
        assertThat(config.path("Env").toString()).contains("PATH=/opt/java/bin", "LAKEHOUSE_BIND=0.0.0.0");

        boolean root = "0".equals(run(dir, List.of("id", "-u")).lines().skip(1).findFirst().orElse("").strip());
        Assumptions.assumeTrue(root && Files.isExecutable(Path.of("/usr/sbin/chroot")), "running the image needs root for chroot");
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs);
        for (JsonNode layer : manifest.path("Layers")) {
            assertThat(run(rootfs, List.of("tar", "--warning=no-unknown-keyword", "-xzf", image.resolve(layer.asText()).toString())))
                    .startsWith("0\n");
        }
        Files.createDirectories(rootfs.resolve("data"));
        assertThat(run(dir, List.of("chown", "10001:10001", rootfs.resolve("data").toString()))).startsWith("0\n");
        int port = Stack.freePort();
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=10001:10001", rootfs.toString()));
        cmd.addAll(entrypoint);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("journald.log").toFile());
        pb.environment().clear();
        config.path("Env").forEach(e -> pb.environment().put(e.asText().substring(0, e.asText().indexOf('=')),
                e.asText().substring(e.asText().indexOf('=') + 1)));
        pb.environment().put("LAKEHOUSE_" + D.envName() + "_PORT", Integer.toString(port));
        Process daemon = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            int status = 0;
            for (int i = 0; i < 300 && status != 200 && daemon.isAlive(); i++) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(status).as(Files.readString(dir.resolve("journald.log"))).isEqualTo(200);
            daemon.destroy();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon.exitValue()).isIn(0, 143);
            assertThat(rootfs.resolve("data/journald")).isDirectory();
        } finally {
            daemon.destroyForcibly();
        }
    }
}
