package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * `bin/lakehouse images` builds all eleven images without Docker (Jib's buildTar); each image's manifest and config say
 * what the daemon table and etc/jvm.env say (fully qualified name, entrypoint with the flags and main class, non-root
 * user, exposed port); and — where this test runs as root, with no container engine here — each image's layers are
 * unpacked into a root filesystem where the image's own dynamic linker resolves every native library inside the
 * daemon's jars (libjllama's libgomp, onnxruntime's libstdc++: the linker's view, not a list), and the daemon runs from
 * it with chroot as its user until /ready answers 200 and SIGTERM stops it — chatd with a GGUF model, listing `local`.
 */
class ImagesIT {
    static Path work;
    static String built;

    static String run(Path cwd, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(900, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    @BeforeAll
    static void buildAll() throws Exception {
        work = Files.createTempDirectory("lakehouse-images-it-");
        Path repo = Stack.repoRoot();
        built = run(repo, List.of(repo.resolve("bin/lakehouse").toString(), "images"));
        assertThat(built).as(built).startsWith("0\n");
    }

    @AfterAll
    static void clean() throws Exception {
        run(Path.of("/"), List.of("rm", "-rf", work.toString()));
    }

    static boolean root() throws Exception {
        return "0".equals(run(work, List.of("id", "-u")).lines().skip(1).findFirst().orElse("").strip())
                && Files.isExecutable(Path.of("/usr/sbin/chroot"));
    }

    @ParameterizedTest
    @EnumSource(DaemonId.class)
    void everyImage_saysWhatTheTableSays_linksItsNativeLibraries_andRuns(DaemonId d) throws Exception {
        Path repo = Stack.repoRoot();
        String name = "registry.lakehouse.internal/lakehouse/" + d.daemonName() + ":0.1.0";
        assertThat(built).contains(name);
        Path tar = repo.resolve(d.module()).resolve("target/jib").resolve(d.daemonName() + ".tar");
        Path dir = Files.createDirectories(work.resolve(d.daemonName()));
        Path image = Files.createDirectories(dir.resolve("image"));
        assertThat(run(image, List.of("tar", "-xf", tar.toString()))).startsWith("0\n");
        JsonNode manifest = Json.mapper().readTree(Files.readAllBytes(image.resolve("manifest.json"))).get(0);
        assertThat(manifest.path("RepoTags").toString()).as("fully qualified, from one registry").contains(name);
        JsonNode config = Json.mapper().readTree(Files.readAllBytes(image.resolve(manifest.path("Config").asText()))).path("config");
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        List<String> flags = new ArrayList<>();
        for (String l : Files.readAllLines(repo.resolve("etc/jvm.env"))) {
            if (l.startsWith("LAKEHOUSE_" + d.envName() + "_JAVA_OPTS=")) {
                flags.addAll(List.of(l.substring(l.indexOf('=') + 1).split(" ")));
            }
        }
        List<String> expected = new ArrayList<>(List.of("java"));
        expected.addAll(flags);
        expected.addAll(List.of("-cp", "@/app/jib-classpath-file", d.mainClass()));
        assertThat(entrypoint).as("the flags of etc/jvm.env and the main class").isEqualTo(expected);
        assertThat(config.path("User").asText()).isEqualTo("10001:10001");
        assertThat(config.path("ExposedPorts").has(d.defaultPort() + "/tcp")).isTrue();
        assertThat(config.path("Env").toString()).contains("PATH=/opt/java/bin", "LAKEHOUSE_BIND=0.0.0.0");

        Assumptions.assumeTrue(root(), "running an image needs root for chroot");
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        for (JsonNode layer : manifest.path("Layers")) {
            assertThat(run(rootfs, List.of("tar", "--warning=no-unknown-keyword", "-xzf", image.resolve(layer.asText()).toString())))
                    .startsWith("0\n");
        }
        List<String> linked = linkNatives(rootfs);
        if (d == DaemonId.CHATD) {
            assertThat(linked).as("llama.cpp's binding, whose libgomp the image must carry").anyMatch(l -> l.endsWith("libjllama.so"));
        }
        if (d == DaemonId.EMBEDD) {
            assertThat(linked).anyMatch(l -> l.endsWith("libonnxruntime.so"));
        }

        Path data = Files.createDirectories(rootfs.resolve("data"));
        Map<String, String> extra = new java.util.HashMap<>();
        if (d == DaemonId.VALIDATORD) {
            Files.copy(Stack.generateRoster(500), data.resolve("workers.parquet"));
            extra.put("LAKEHOUSE_ROSTER", "/data/workers.parquet");
        }
        if (d == DaemonId.GATEWAY) {
            // the image binds 0.0.0.0: without keys the gateway refuses to start (an open gateway is loopback only)
            List<String> open = new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=10001:10001", rootfs.toString()));
            open.addAll(entrypoint);
            ProcessBuilder refused = new ProcessBuilder(open).redirectErrorStream(true);
            refused.environment().clear();
            config.path("Env").forEach(e -> refused.environment().put(e.asText().substring(0, e.asText().indexOf('=')),
                    e.asText().substring(e.asText().indexOf('=') + 1)));
            Process p = refused.start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isNotZero();
            assertThat(said).contains("LAKEHOUSE_API_KEYS_FILE is not set", "loopback only");
            Files.writeString(data.resolve("api-keys"), "operator:images-it-key-0123456789abcdef\n");
            extra.put("LAKEHOUSE_API_KEYS_FILE", "/data/api-keys");
        }
        if (d == DaemonId.CHATD) {
            String cp = repo.resolve("chatd/target/test-classes") + ":" + repo.resolve("chatd/target/chatd.jar") + ":"
                    + repo.resolve("chatd/target/libs") + "/*";
            String wrote = run(work, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                    "dev.lakehouse.chatd.LocalBench", "tiny", data.resolve("tiny.gguf").toString()));
            assertThat(wrote).as(wrote).startsWith("0\n");
            extra.put("CHATD_LOCAL_MODEL", "/data/tiny.gguf");
        }
        assertThat(run(dir, List.of("chown", "-R", "10001:10001", data.toString()))).startsWith("0\n");
        int port = Stack.freePort();
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=10001:10001", rootfs.toString()));
        cmd.addAll(entrypoint);
        Path log = dir.resolve(d.daemonName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        config.path("Env").forEach(e -> pb.environment().put(e.asText().substring(0, e.asText().indexOf('=')),
                e.asText().substring(e.asText().indexOf('=') + 1)));
        pb.environment().put("LAKEHOUSE_" + d.envName() + "_PORT", Integer.toString(port));
        pb.environment().putAll(extra);
        Process daemon = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            int status = 0;
            // pathwayd and matrixd are ready once embedd is (pathwayd's search indexes, matrixd's queries): alone, each is
            // up (/health) and its /ready says what it waits for
            boolean needsEmbedd = d == DaemonId.PATHWAYD || d == DaemonId.MATRIXD;
            String probe = needsEmbedd ? "/health" : "/ready";
            for (int i = 0; i < 600 && status != 200 && daemon.isAlive(); i++) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                if (status != 200) {
                    Thread.sleep(100);
                }
            }
            assertThat(status).as(d + " from its image:\n" + Files.readString(log)).isEqualTo(200);
            if (needsEmbedd) {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("waiting for embedd");
            }
            if (d == DaemonId.CHATD) {
                String providers = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/providers")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(providers).as("the GGUF loaded in the image").contains("\"local\"");
            }
            daemon.destroy();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon.exitValue()).isIn(0, 143);
            if (java.util.Set.of(DaemonId.VECTORD, DaemonId.PATHWAYD, DaemonId.TRUTHD, DaemonId.OBSERVERD, DaemonId.JOURNALD).contains(d)) {
                assertThat(data.resolve(d.daemonName())).as("its state, on the image's /data").isDirectory();
            }
        } finally {
            daemon.destroyForcibly();
        }
    }

    /**
     * Every glibc x86-64 native library inside the image's jars, extracted into its /tmp and resolved by the image's own
     * dynamic linker (ld.so --list, in the chroot, with the jar's other libraries on its path): none may have a "not
     * found" dependency but one its own jar carries (onnxruntime's JNI glue asks for libonnxruntime.so.1, which the jar
     * holds as libonnxruntime.so and loads first). Returns the libraries checked.
     */
    static List<String> linkNatives(Path rootfs) throws Exception {
        List<String> checked = new ArrayList<>();
        try (var jars = Files.list(rootfs.resolve("app/libs"))) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                Path dir = rootfs.resolve("tmp/natives").resolve(jar.getFileName().toString());
                List<String> names = new ArrayList<>();
                try (ZipFile z = new ZipFile(jar.toFile())) {
                    for (ZipEntry e : z.stream().toList()) {
                        String n = e.getName().toLowerCase(java.util.Locale.ROOT);
                        if (!n.matches(".*\\.so(\\.[0-9]+)*") || !n.contains("linux") || n.contains("musl")
                                || !(n.contains("x86_64") || n.contains("amd64") || n.contains("x64"))) {
                            continue;
                        }
                        Files.createDirectories(dir);
                        String file = Path.of(e.getName()).getFileName().toString();
                        try (InputStream in = z.getInputStream(e)) {
                            Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                        }
                        names.add(file);
                    }
                }
                for (String file : names) {
                    String inImage = "/tmp/natives/" + jar.getFileName() + "/" + file;
                    String seen = run(rootfs, List.of("/usr/sbin/chroot", rootfs.toString(), "/lib64/ld-linux-x86-64.so.2", "--library-path",
                            "/tmp/natives/" + jar.getFileName(), "--list", inImage));
                    List<String> missing = seen.lines().filter(l -> l.contains("not found")).map(l -> l.strip().split("\\s+")[0])
                            .filter(m -> names.stream().noneMatch(m::startsWith)).toList();
                    assertThat(missing).as(jar.getFileName() + "!" + file + " in the image: " + seen).isEmpty();
                    checked.add(inImage);
                }
            }
        }
        return checked;
    }
}
