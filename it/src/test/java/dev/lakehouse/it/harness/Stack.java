package dev.lakehouse.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lakehouse.common.DaemonId;

/**
 * A set of daemons started as separate processes for one test class: each on a
 * free port, all sharing one temporary {@code LAKEHOUSE_DATA_DIR} (each daemon
 * keeps its state in its own subdirectory), each peer's {@code LAKEHOUSE_<D>_URL}
 * pointing at the others. Real daemons run from their built jars; a test-only
 * daemon runs from the test classpath. Logs go to {@code target/it-logs/}.
 *
 * <pre>{@code
 * try (Stack stack = Stack.builder().daemon(DaemonId.EMBEDD).start()) {
 *     URI embedd = stack.url("embedd");
 * }
 * }</pre>
 */
public final class Stack implements AutoCloseable {
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Map<String, ManagedDaemon> daemons;
    private final Path dataRoot;

    private Stack(Map<String, ManagedDaemon> daemons, Path dataRoot) {
        this.daemons = daemons;
        this.dataRoot = dataRoot;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ManagedDaemon daemon(String name) {
        ManagedDaemon d = daemons.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no daemon " + name + " in this stack; have " + daemons.keySet());
        }
        return d;
    }

    public URI url(String name) {
        return daemon(name).url();
    }

    public Path dataRoot() {
        return dataRoot;
    }

    @Override
    public void close() {
        for (ManagedDaemon d : daemons.values()) {
            if (d.isAlive()) {
                d.stop(STOP_GRACE);
            }
        }
    }

    /** The repository root: the nearest ancestor of the working directory that holds {@code mvnw}. */
    /** A synthetic roster of {@code rows} workers (seed 42) written by {@code bin/lakehouse roster generate}: its path. */
    public static Path generateRoster(int rows) throws IOException, InterruptedException {
        Path roster = java.nio.file.Files.createTempDirectory("lakehouse-roster-").resolve("workers.parquet");
        Process gen = new ProcessBuilder(repoRoot().resolve("bin/lakehouse").toString(), "roster", "generate",
                "--rows", Integer.toString(rows), "--seed", "42", "--out", roster.toString()).redirectErrorStream(true).start();
        String out = new String(gen.getInputStream().readAllBytes());
        if (gen.waitFor() != 0) {
            throw new IllegalStateException("roster generate failed: " + out);
        }
        return roster;
    }

    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root (mvnw) above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** JVM flags for test daemons: small heaps and quick start, as on a 2-core CI machine. */
    static List<String> jvmFlags() {
        return List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "--enable-native-access=ALL-UNNAMED");
    }

    public static final class Builder {
        private record Spec(String name, List<String> launch, Map<String, String> env) {
        }

        private final List<Spec> specs = new ArrayList<>();
        private final Map<String, String> sharedEnv = new HashMap<>();

        /** A real daemon from its built jar. */
        public Builder daemon(DaemonId id, Map<String, String> env) {
            Path jar = repoRoot().resolve(id.jarPath());
            if (!Files.exists(jar)) {
                throw new IllegalStateException(id.daemonName() + " is not built: " + jar + " is missing (run ./mvnw package)");
            }
            specs.add(new Spec(id.daemonName(), List.of("-cp", jar.toString(), id.mainClass()), env));
            return this;
        }

        public Builder daemon(DaemonId id) {
            return daemon(id, Map.of());
        }

        /** A test-only daemon whose main class is on the test classpath. */
        public Builder testDaemon(String name, Class<?> mainClass, Map<String, String> env) {
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            specs.add(new Spec(name, List.of("-cp", cp, mainClass.getName()), env));
            return this;
        }

        /** An environment variable for every daemon of the stack. */
        public Builder env(String name, String value) {
            sharedEnv.put(name, value);
            return this;
        }

        public Stack start() {
            try {
                Path dataRoot = Files.createTempDirectory("lakehouse-it-");
                Path logs = repoRoot().resolve("it/target/it-logs");
                Files.createDirectories(logs);
                Map<String, Integer> ports = new LinkedHashMap<>();
                for (Spec s : specs) {
                    int port = freePort();
                    while (ports.containsValue(port)) {   // the system may hand out a port just closed twice
                        port = freePort();
                    }
                    ports.put(s.name(), port);
                }
                Map<String, String> common = new HashMap<>();
                // a daemon outside this stack is unreachable, never one that happens to run on this machine's default port
                for (DaemonId d : DaemonId.values()) {
                    common.put("LAKEHOUSE_" + d.envName() + "_URL", "http://127.0.0.1:9");
                }
                common.putAll(sharedEnv);
                common.put("LAKEHOUSE_DATA_DIR", dataRoot.toString());
                common.put("LAKEHOUSE_BIND", "127.0.0.1");
                ports.forEach((name, port) -> {
                    String env = name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                    common.put("LAKEHOUSE_" + env + "_PORT", Integer.toString(port));
                    common.put("LAKEHOUSE_" + env + "_URL", "http://127.0.0.1:" + port);
                });
                Map<String, ManagedDaemon> daemons = new LinkedHashMap<>();
                for (Spec s : specs) {
                    Map<String, String> env = new HashMap<>(common);
                    env.putAll(s.env());
                    List<String> command = new ArrayList<>();
                    command.add(java());
                    command.addAll(jvmFlags());
                    command.addAll(s.launch());
                    Path log = logs.resolve(s.name() + "-" + ports.get(s.name()) + ".log");
                    daemons.put(s.name(), new ManagedDaemon(s.name(), command, env, ports.get(s.name()), dataRoot, log));
                }
                Stack stack = new Stack(daemons, dataRoot);
                try {
                    for (ManagedDaemon d : daemons.values()) {
                        d.start(READY_TIMEOUT);
                    }
                } catch (RuntimeException e) {
                    stack.close();
                    throw e;
                }
                return stack;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
