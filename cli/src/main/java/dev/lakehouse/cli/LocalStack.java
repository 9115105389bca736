package dev.lakehouse.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.InternalToken;
import dev.lakehouse.common.Json;

/**
 * The daemons of one checkout on this machine, as processes: where their jars,
 * PID files ({@code LAKEHOUSE_RUN_DIR}, default {@code <home>/run}) and logs
 * ({@code LAKEHOUSE_LOG_DIR}, default {@code <home>/logs}) are, how to start one
 * detached, stop one, and probe its health. Ports and data directory follow the
 * same environment variables as the daemons, so two stacks with different
 * variables run side by side.
 */
final class LocalStack {

    private final Path home;
    private final EnvConfig env;
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final Path runDir;
    private final Path logDir;

    LocalStack(Path home, EnvConfig env) {
        this.home = home;
        this.env = env;
        this.runDir = env.path("LAKEHOUSE_RUN_DIR", home.resolve("run")).toAbsolutePath();
        this.logDir = env.path("LAKEHOUSE_LOG_DIR", home.resolve("logs")).toAbsolutePath();
    }

    EnvConfig env() {
        return env;
    }

    Path home() {
        return home;
    }

    /** Whether this checkout has the daemon's code: its main class's source (later issues add the rest). */
    boolean hasModule(DaemonId d) {
        return Files.exists(home.resolve(d.module()).resolve("src/main/java")
                .resolve(d.mainClass().replace('.', '/') + ".java"));
    }

    /** Whether the daemon's jar exists and holds its main class (a module's jar may predate one of its daemons). */
    boolean isBuilt(DaemonId d) {
        Path jar = home.resolve(d.jarPath());
        if (!Files.exists(jar)) {
            return false;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry(d.mainClass().replace('.', '/') + ".class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The roster validatord loads (its own rule), relative paths taken from the checkout, where daemons start. */
    Path rosterPath() {
        return home.resolve(env.roster()).normalize();
    }

    /**
     * The stack's internal token file (DESIGN.md §7): {@code LAKEHOUSE_INTERNAL_TOKEN_FILE}, else
     * {@code <run dir>/internal-token}, which {@link #ensureInternalToken()} makes on the stack's first start.
     */
    Path internalTokenFile() {
        return env.path(InternalToken.VARIABLE, runDir.resolve("internal-token")).toAbsolutePath();
    }

    /**
     * The token file, made when there is none: 64 hex digits from a SecureRandom, created with mode 600 (never readable
     * by others, not even for a moment). Every daemon this stack starts requires it but the gateway.
     */
    Path ensureInternalToken() {
        Path f = internalTokenFile();
        if (Files.exists(f)) {
            return f;
        }
        try {
            Files.createDirectories(f.getParent());
            java.nio.file.attribute.FileAttribute<?> owner = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Path tmp = Files.createTempFile(f.getParent(), ".internal-token", ".tmp", owner);
            Files.writeString(tmp, InternalToken.generate().value() + "\n");
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return f;
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the stack's internal token " + f, e);
        }
    }

    /** The stack's token when it has one: what the CLI sends when it calls a daemon directly (not through the gateway). */
    Optional<InternalToken> internalToken() {
        Path f = internalTokenFile();
        return Files.exists(f) ? Optional.of(InternalToken.read(f)) : Optional.empty();
    }

    /** A request to one of the stack's daemons, carrying the internal token when the stack has one. */
    java.net.http.HttpRequest.Builder toDaemon(java.net.URI uri) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(uri);
        internalToken().ifPresent(t -> b.header(InternalToken.HEADER, t.value()));
        return b;
    }

    int port(DaemonId d) {
        return env.port(d.daemonName(), d.defaultPort());
    }

    URI url(DaemonId d) {
        return URI.create("http://127.0.0.1:" + port(d));
    }

    Path log(DaemonId d) {
        return logDir.resolve(d.daemonName() + ".log");
    }

    Path pidFile(DaemonId d) {
        return runDir.resolve(d.daemonName() + ".pid");
    }

    /**
     * The live process recorded in the PID file, if it is still this daemon: a PID
     * that names no process, a zombie (killed, not yet reaped: {@code ProcessHandle}
     * calls it alive), or a process running anything else (the PID reused) is not.
     */
    Optional<ProcessHandle> process(DaemonId d) {
        try {
            Path file = pidFile(d);
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(file).strip());
            return ProcessHandle.of(pid).filter(p -> isRunning(p, d.mainClass()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Polls for the exit: {@code onExit()} of a process that is not this JVM's child (it was
     * started by an earlier CLI) polls with a growing back-off and waits on zombies, which
     * added seconds to every stop.
     */
    private static boolean awaitExit(ProcessHandle p, DaemonId d, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(p, d.mainClass())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Alive, not a zombie, and its command line names {@code mainClass}. */
    static boolean isRunning(ProcessHandle p, String mainClass) {
        if (!p.isAlive() || isZombie(p.pid())) {
            return false;
        }
        return p.info().commandLine().or(() -> p.info().arguments().map(a -> String.join(" ", a)))
                .map(c -> c.contains(mainClass)).orElse(false);
    }

    /** State Z (zombie) or X (dead) in {@code /proc/<pid>/stat}; false where there is no /proc. */
    static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat);
            int close = text.lastIndexOf(')');   // the command name in (…) may hold spaces and parentheses
            char state = close < 0 || close + 2 >= text.length() ? '?' : text.charAt(close + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return Files.isDirectory(Path.of("/proc", "self"));   // with /proc, no stat means no process
        }
    }

    List<String> command(DaemonId d) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");   // own session: a Ctrl-C in this terminal does not reach the daemons
        }
        cmd.add(JAVA.toString());
        Optional<ClassDataArchive> archive = archive(d);
        if (archive.isPresent()) {
            cmd.addAll(archive.get().jvmFlags());   // etc/jvm.env: the flags the systemd units use too
            cmd.addAll(archive.get().flags());
        } else {
            cmd.addAll(List.of(env.get("LAKEHOUSE_" + d.envName() + "_JAVA_OPTS").orElseThrow().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", home.resolve(d.jarPath()).toString(), d.mainClass()));
        return cmd;
    }

    /** The daemon's AOT cache or class-data archive; none when its flags come from the environment. */
    Optional<ClassDataArchive> archive(DaemonId d) {
        if (env.get("LAKEHOUSE_" + d.envName() + "_JAVA_OPTS").isPresent()) {
            return Optional.empty();
        }
        return Optional.of(ClassDataArchive.of(runDir, JAVA, d.daemonName(), JvmFlags.load(home).flags().get(d),
                home.resolve(d.jarPath())));
    }

    /** Starts the daemon detached, output appended to its log, PID recorded. */
    ProcessHandle start(DaemonId d) {
        try {
            Files.createDirectories(runDir);
            Files.createDirectories(logDir);
            ProcessBuilder pb = new ProcessBuilder(command(d));
            pb.directory(home.toFile());
            if (env.get("LAKEHOUSE_DATA_DIR").isEmpty()) {
                pb.environment().put("LAKEHOUSE_DATA_DIR", home.resolve("data").toString());
            }
            pb.environment().put(InternalToken.VARIABLE, ensureInternalToken().toString());
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log(d).toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process p = pb.start();
            Files.writeString(pidFile(d), Long.toString(p.pid()));
            return p.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + d.daemonName(), e);
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}. Returns true when it had to kill. */
    boolean stop(DaemonId d, Duration grace) {
        Optional<ProcessHandle> p = process(d);
        boolean killed = false;
        if (p.isPresent()) {
            p.get().destroy();
            if (!awaitExit(p.get(), d, grace)) {
                p.get().destroyForcibly();
                killed = true;
                awaitExit(p.get(), d, Duration.ofSeconds(10));
            }
        }
        try {
            Files.deleteIfExists(pidFile(d));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return killed;
    }

    /** What one daemon looks like right now. */
    record Probe(DaemonId daemon, int port, boolean built, OptionalLong pid, String health, String ready,
                 OptionalLong rssBytes, OptionalLong uptimeS) {
    }

    Probe probe(DaemonId d) {
        Optional<ProcessHandle> p = process(d);
        OptionalLong pid = p.map(h -> OptionalLong.of(h.pid())).orElse(OptionalLong.empty());
        OptionalLong rss = pid.isPresent() ? rssOf(pid.getAsLong()) : OptionalLong.empty();
        String health = "-";
        String ready = "-";
        OptionalLong uptime = OptionalLong.empty();
        Optional<Answer> h = get(d, "/health");
        if (h.isPresent()) {
            health = h.get().statusCode() == 200 ? "UP" : "HTTP " + h.get().statusCode();
            try {
                JsonNode body = Json.mapper().readTree(h.get().body());
                if (body.has("uptime_s")) {
                    uptime = OptionalLong.of(body.path("uptime_s").asLong());
                }
            } catch (IOException ignored) {
                // health without a body: leave uptime unknown
            }
            ready = get(d, "/ready").map(r -> r.statusCode() == 200 ? "READY" : readyDetail(r)).orElse("-");
        } else if (pid.isPresent()) {
            health = "DOWN";
        }
        return new Probe(d, port(d), isBuilt(d), pid, health, ready, rss, uptime);
    }

    boolean isReady(DaemonId d) {
        return get(d, "/ready").map(r -> r.statusCode() == 200).orElse(false);
    }

    private static String readyDetail(Answer r) {
        try {
            JsonNode checks = Json.mapper().readTree(r.body()).path("checks");
            StringBuilder sb = new StringBuilder("NOT READY");
            checks.fields().forEachRemaining(e -> {
                if (!"ok".equals(e.getValue().asText())) {
                    sb.append(' ').append(e.getKey()).append('=').append(e.getValue().asText());
                }
            });
            return sb.toString();
        } catch (IOException e) {
            return "NOT READY";
        }
    }

    /** A daemon's answer to a probe. */
    record Answer(int statusCode, String body) {
    }

    /**
     * A GET of {@code path} with a 1 s timeout, empty when nothing answers. The JDK's
     * {@code HttpURLConnection}: for plain HTTP it does not initialize TLS as building an
     * {@code HttpClient} does (~0.3 s of every {@code up} and {@code status}).
     */
    private Optional<Answer> get(DaemonId d, String path) {
        java.net.HttpURLConnection c = null;
        try {
            c = (java.net.HttpURLConnection) url(d).resolve(path).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(1000);
            int status = c.getResponseCode();
            var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return Optional.of(new Answer(status, body));
        } catch (IOException e) {
            return Optional.empty();
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** Resident set size from {@code /proc/<pid>/status} (VmRSS, in kB). */
    static OptionalLong rssOf(long pid) {
        try {
            return parseVmRss(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parseVmRss(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
            }
        }
        return OptionalLong.empty();
    }
}
