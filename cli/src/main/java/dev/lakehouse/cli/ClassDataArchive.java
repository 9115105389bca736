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

/**
 * Class-data sharing (AppCDS) for a daemon's JVM, made so that an archive always
 * matches the flags it is used with — or is not used at all.
 *
 * <p>The JDK's own base archive is dumped without the module flags a daemon runs
 * with ({@code --enable-native-access=ALL-UNNAMED}); a dynamic archive layered on it
 * makes every start print {@code [error][cds] Mismatched values for property
 * jdk.module.enable.native.access} and lose the archived module graph. So the base
 * is dumped here, once per JDK and module/GC flags ({@code <run>/cds/base-<key>.jsa}),
 * and each daemon's dynamic archive ({@code <run>/cds/<daemon>-<key>.jsa}) is keyed
 * on the JDK, all its flags and its jar's size and time: a new build or new flags get
 * a new archive (written by the JVM at its exit, {@code -XX:ArchiveClassesAtExit}),
 * and a stale one is deleted rather than offered to the JVM, which would refuse it
 * with an error. When the base cannot be dumped, no archive flag is passed.
 */
final class ClassDataArchive {
    private ClassDataArchive() {
    }

    /** The flags to add for {@code daemon}, possibly none. */
    static List<String> flags(Path runDir, Path java, String daemon, List<String> jvmFlags, Path jar) {
        try {
            Path dir = runDir.resolve("cds");
            Files.createDirectories(dir);
            List<String> baseFlags = jvmFlags.stream().filter(f -> f.startsWith("--") || f.startsWith("-XX:+Use")).toList();
            String jdk = System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
            Path base = dir.resolve("base-" + key(jdk, java.toString(), String.join(" ", baseFlags)) + ".jsa");
            if (!Files.exists(base) && !dumpBase(java, baseFlags, base)) {
                return List.of();
            }
            String top = daemon + "-" + key(jdk, java.toString(), base.toString(), String.join(" ", jvmFlags), jar.toString(),
                    Long.toString(Files.size(jar)), Long.toString(Files.getLastModifiedTime(jar).toMillis())) + ".jsa";
            try (var old = Files.newDirectoryStream(dir, daemon + "-*.jsa")) {
                for (Path p : old) {
                    if (!p.getFileName().toString().equals(top)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            Path dynamic = dir.resolve(top);
            return Files.exists(dynamic)
                    ? List.of("-XX:SharedArchiveFile=" + base + ":" + dynamic)
                    : List.of("-XX:SharedArchiveFile=" + base, "-XX:ArchiveClassesAtExit=" + dynamic);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** {@code java <flags> -Xshare:dump} into a temporary file, renamed when complete. */
    private static boolean dumpBase(Path java, List<String> baseFlags, Path base) throws IOException {
        Path tmp = base.resolveSibling(base.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(baseFlags);
        cmd.addAll(List.of("-Xshare:dump", "-XX:SharedArchiveFile=" + tmp));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return false;
        }
        if (p.exitValue() != 0 || !Files.exists(tmp)) {
            Files.deleteIfExists(tmp);
            return false;
        }
        Files.move(tmp, base, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
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
