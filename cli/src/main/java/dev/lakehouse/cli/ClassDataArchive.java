package dev.lakehouse.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What a daemon's JVM starts from so that its second start is fast: on JDK 25+ an
 * ahead-of-time cache (JEP 483/514/515: classes loaded and linked, method profiles),
 * on JDK 21–24 class-data sharing (AppCDS). Either is made so that it always matches
 * the flags it is used with — or is not used at all.
 *
 * <p><b>AOT cache (JDK 25+).</b> A daemon started without a cache runs as the
 * training run ({@code -XX:AOTMode=record}): the JVM writes what it loaded and the
 * profiles of what it ran to {@code <run>/cds/<daemon>-<key>.aotconf} when it stops
 * gracefully. {@link #finishTraining} — called by the CLI after the daemon stopped —
 * turns that into {@code <daemon>-<key>.aot} ({@code -XX:AOTMode=create}, into a
 * temporary file renamed when complete, so a start never meets half a cache), and
 * every later start runs from it ({@code -XX:AOTCache}). The key covers the JDK, every
 * flag, the jar's path, size and time and those of each jar on its class path: a new
 * build (of the daemon or of a library it uses) or new flags train again, and a
 * stale cache is deleted rather than offered to the JVM. JDK 25.0.3 warns at every
 * start about adapter code it cannot link from the cache (it falls back to making
 * it) and at the end of training about classes it skips; those warnings are lowered
 * to errors ({@code -Xlog:aot*=error}), the cache's real failures stay visible.
 *
 * <p><b>AppCDS (JDK 21–24).</b> The JDK's own base archive is dumped without the module
 * flags a daemon runs with ({@code --enable-native-access=ALL-UNNAMED}); a dynamic archive
 * layered on it makes every start print {@code [error][cds] Mismatched values for property
 * jdk.module.enable.native.access} and lose the archived module graph. So the base is
 * dumped here, once per JDK and module/GC flags ({@code <run>/cds/base-<key>.jsa}), and
 * each daemon's dynamic archive ({@code <daemon>-<key>.jsa}, keyed like the AOT cache) is
 * written by the JVM at its exit ({@code -XX:ArchiveClassesAtExit}). When the base cannot
 * be dumped, no archive flag is passed.
 */
final class ClassDataArchive {
    private static final String QUIET = "-Xlog:aot*=error";

    private final Path dir;
    private final Path java;
    private final String daemon;
    private final List<String> jvmFlags;
    private final Path jar;
    private final boolean aot;

    ClassDataArchive(Path runDir, Path java, String daemon, List<String> jvmFlags, Path jar, int javaFeature) {
        this.dir = runDir.resolve("cds");
        this.java = java;
        this.daemon = daemon;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.jar = jar;
        this.aot = javaFeature >= 25;
    }

    /** For the JDK this CLI runs on, which is the one it starts daemons with. */
    static ClassDataArchive of(Path runDir, Path java, String daemon, List<String> jvmFlags, Path jar) {
        return new ClassDataArchive(runDir, java, daemon, jvmFlags, jar, Runtime.version().feature());
    }

    /** The daemon's own flags (etc/jvm.env's), which the cache is made for. */
    List<String> jvmFlags() {
        return jvmFlags;
    }

    /** The flags to add to the daemon's command line, possibly none. */
    List<String> flags() {
        try {
            Files.createDirectories(dir);
            if (aot) {
                Path cache = file(".aot");
                deleteStale(cache, file(".aotconf"));
                return Files.exists(cache)
                        ? List.of("-XX:AOTCache=" + cache, QUIET)
                        : List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + file(".aotconf"), QUIET);
            }
            return appCds();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** True when the daemon's last run was a training run whose record is waiting to become its cache. */
    boolean trained() {
        try {
            return aot && Files.exists(file(".aotconf")) && !Files.exists(file(".aot"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes the AOT cache from the training record the stopped daemon wrote, if there is
     * one; the record is removed either way (a failed creation trains again next time).
     * Returns what happened, for the operator.
     */
    String finishTraining() throws InterruptedException {
        try {
            Path record = file(".aotconf");
            Path cache = file(".aot");
            if (!aot || !Files.exists(record) || Files.exists(cache)) {
                return "";
            }
            Path tmp = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            List<String> cmd = new ArrayList<>();
            cmd.add(java.toString());
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + record, "-XX:AOTCache=" + tmp, QUIET,
                    "-cp", jar.toString()));
            boolean ok = run(cmd, 120) && Files.exists(tmp);
            if (ok) {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(record);
            return ok ? "AOT cache " + cache.getFileName() + " (" + Files.size(cache) / (1 << 20) + " MiB)"
                    : "AOT cache not made (JVM failed); the next start trains again";
        } catch (IOException e) {
            return "AOT cache not made: " + e.getMessage();
        }
    }

    private Path file(String suffix) throws IOException {
        String jdk = System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
        List<String> parts = new ArrayList<>(List.of(jdk, java.toString(), String.join(" ", jvmFlags), jar.toString(),
                Long.toString(Files.size(jar)), Long.toString(Files.getLastModifiedTime(jar).toMillis())));
        parts.addAll(classPath(jar));
        return dir.resolve(daemon + "-" + key(parts.toArray(String[]::new)) + suffix);
    }

    /**
     * Each jar on the daemon jar's manifest {@code Class-Path}, with its size and time. The JVM checks the whole class
     * path against the cache and refuses it when any jar changed ("shared class paths mismatch", at every start, and
     * the daemon then starts without a cache); a build that changed only a library ({@code common}) leaves the
     * daemon's own jar as it was, so the key must cover the libraries too, or such a stack would never train again.
     * Not a jar (or no manifest): nothing.
     */
    static List<String> classPath(Path jar) {
        List<String> parts = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            for (String entry : cp == null || cp.isBlank() ? new String[0] : cp.trim().split("\\s+")) {
                Path lib = jar.resolveSibling(entry);
                parts.add(entry);
                parts.add(Files.isRegularFile(lib) ? Files.size(lib) + "-" + Files.getLastModifiedTime(lib).toMillis() : "absent");
            }
        } catch (IOException e) {
            return List.of();
        }
        return parts;
    }

    /** Removes this daemon's archives, caches and records of other keys. */
    private void deleteStale(Path... keep) throws IOException {
        List<Path> current = List.of(keep);
        try (var old = Files.newDirectoryStream(dir, daemon + "-*")) {
            for (Path p : old) {
                if (!current.contains(p) && !p.getFileName().toString().endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private List<String> appCds() throws IOException {
        List<String> baseFlags = jvmFlags.stream().filter(f -> f.startsWith("--") || f.startsWith("-XX:+Use")).toList();
        String jdk = System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
        Path base = dir.resolve("base-" + key(jdk, java.toString(), String.join(" ", baseFlags)) + ".jsa");
        if (!Files.exists(base) && !dumpBase(baseFlags, base)) {
            return List.of();
        }
        Path dynamic = file(".jsa");
        deleteStale(dynamic);
        return Files.exists(dynamic)
                ? List.of("-XX:SharedArchiveFile=" + base + ":" + dynamic)
                : List.of("-XX:SharedArchiveFile=" + base, "-XX:ArchiveClassesAtExit=" + dynamic);
    }

    /** {@code java <flags> -Xshare:dump} into a temporary file, renamed when complete. */
    private boolean dumpBase(List<String> baseFlags, Path base) throws IOException {
        Path tmp = base.resolveSibling(base.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(baseFlags);
        cmd.addAll(List.of("-Xshare:dump", "-XX:SharedArchiveFile=" + tmp));
        try {
            if (!run(cmd, 60) || !Files.exists(tmp)) {
                Files.deleteIfExists(tmp);
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Files.move(tmp, base, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /** Runs {@code cmd}, output discarded; true when it exited 0 within {@code timeoutS}. */
    private static boolean run(List<String> cmd, int timeoutS) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        return p.exitValue() == 0;
    }

    private static String key(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
