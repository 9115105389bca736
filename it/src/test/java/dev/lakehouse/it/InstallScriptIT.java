package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install.sh into a staging root (--root: no user, no systemctl): the layout the units expect, idempotent
 * when run again, an upgrade of one module keeping the old build, a rollback to it, and an uninstall that keeps the
 * state unless --purge.
 */
class InstallScriptIT {
    @TempDir
    Path root;

    static String run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Stack.repoRoot().resolve("scripts/install.sh").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    /** Every file under the root with its size and time: what "changes nothing" is checked against. */
    Map<String, String> tree() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                out.put(root.relativize(p).toString(), Files.isRegularFile(p) ? Files.size(p) + "@" + Files.getLastModifiedTime(p) : "dir");
            }
        }
        return out;
    }

    /**
     * What systemd would run, without systemd (none runs here): the unit's ExecStart with its EnvironmentFile expanded,
     * under the staged prefix and under the unit's own system-call filter (its SystemCallFilter= lines, applied by
     * scripts/systemd/seccomp-exec as systemd would: the JIT, GC and server threads must live with it); the unit's gate
     * says ready; SIGTERM stops it cleanly within TimeoutStopSec.
     */
    void startsAsItsUnitSays(Path prefix, DaemonId d) throws Exception {
        String unit = Files.readString(root.resolve("etc/systemd/system/lakehouse-" + d.daemonName() + ".service"));
        Map<String, String> env = new TreeMap<>();
        for (String l : Files.readAllLines(prefix.resolve("etc/jvm.env"))) {
            if (!l.isBlank() && !l.startsWith("#")) {
                env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        String exec = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        String gate = unit.lines().filter(l -> l.startsWith("ExecStartPost=")).findFirst().orElseThrow().substring("ExecStartPost=".length());
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("/usr/bin/python3",
                Stack.repoRoot().resolve("scripts/systemd/seccomp-exec").toString()));
        java.util.List<String> filters = unit.lines().filter(l -> l.startsWith("SystemCallFilter=")).map(l -> l.substring(17)).toList();
        assertThat(filters).as("the unit filters system calls").isNotEmpty();
        cmd.addAll(filters);
        cmd.add("--");
        for (String w : exec.replace("/usr/lib/lakehouse", prefix.toString()).split(" ")) {
            if (w.startsWith("$")) {
                cmd.addAll(java.util.List.of(env.get(w.substring(1)).split(" ")));
            } else {
                cmd.add(w);
            }
        }
        int port = Stack.freePort();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve(d.daemonName() + ".log").toFile());
        pb.environment().put("LAKEHOUSE_DATA_DIR", root.resolve("var/lib/lakehouse").toString());
        pb.environment().put("LAKEHOUSE_" + d.envName() + "_PORT", Integer.toString(port));
        Process daemon = pb.start();
        try {
            ProcessBuilder g = new ProcessBuilder(gate.replace("/usr/lib/lakehouse", prefix.toString()).split(" ")).redirectErrorStream(true);
            g.environment().put("LAKEHOUSE_" + d.envName() + "_PORT", Integer.toString(port));
            Process ready = g.start();
            assertThat(ready.waitFor(160, TimeUnit.SECONDS)).isTrue();
            assertThat(ready.exitValue()).as(new String(ready.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + "\n"
                    + Files.readString(root.resolve(d.daemonName() + ".log"))).isZero();
            daemon.destroy();   // SIGTERM, as systemctl stop sends
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).as("within TimeoutStopSec").isTrue();
            assertThat(daemon.exitValue()).isIn(0, 143);
            assertThat(root.resolve("var/lib/lakehouse").resolve(d.daemonName())).isDirectory();
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void installIntoARoot_isIdempotent_upgradesOneModule_rollsBack_andUninstallsKeepingState() throws Exception {
        String first = run("install", "--root", root.toString());
        assertThat(first).as(first).startsWith("0\n").contains("installed validator", "wrote ", "done: JDK");
        Path prefix = root.resolve("usr/lib/lakehouse");
        for (DaemonId d : DaemonId.values()) {
            assertThat(prefix.resolve(d.module()).resolve(d.module() + ".jar")).isRegularFile();
            assertThat(root.resolve("etc/systemd/system/lakehouse-" + d.daemonName() + ".service")).isRegularFile();
        }
        assertThat(prefix.resolve("validator/libs")).isDirectory();
        assertThat(root.resolve("etc/systemd/system/lakehouse.target")).isRegularFile();
        assertThat(Files.isExecutable(prefix.resolve("java"))).isTrue();
        assertThat(Files.isExecutable(prefix.resolve("bin/lakehouse-await-ready"))).isTrue();
        assertThat(prefix.resolve("etc/jvm.env")).hasSameTextualContentAs(Stack.repoRoot().resolve("etc/jvm.env"));
        Path env = root.resolve("etc/lakehouse/lakehouse.env");
        assertThat(env).isRegularFile();
        // one env file per daemon besides the shared one: the providers' keys only in chatd's
        assertThat(Files.readString(env)).doesNotContain("OPENROUTER_API_KEY");
        for (DaemonId d : DaemonId.values()) {
            Path own = root.resolve("etc/lakehouse").resolve(d.daemonName() + ".env");
            assertThat(own).isRegularFile();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(own))).isEqualTo("rw-r-----");
            assertThat(Files.readString(own).contains("OPENROUTER_API_KEY")).as(d.daemonName()).isEqualTo(d == DaemonId.CHATD);
        }
        Path token = root.resolve("etc/lakehouse/internal-token");
        assertThat(Files.readString(token).strip()).matches("[0-9a-f]{64}");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");

        startsAsItsUnitSays(prefix, DaemonId.JOURNALD);

        Files.writeString(env, "LAKEHOUSE_ROSTER=/srv/roster.parquet\n");   // the operator's edit survives a reinstall
        Map<String, String> before = tree();
        String again = run("install", "--root", root.toString());
        assertThat(again).startsWith("0\n").doesNotContain("installed ", "wrote ");
        assertThat(tree()).as("a second install changes nothing").isEqualTo(before);
        assertThat(Files.readString(env)).contains("/srv/roster.parquet");

        // MemoryMax= as documented: LAKEHOUSE_CHATD_MEMORY_MAX in chatd.env becomes a drop-in, and goes with the line
        Path chatdEnv = root.resolve("etc/lakehouse/chatd.env");
        Files.writeString(chatdEnv, Files.readString(chatdEnv) + "LAKEHOUSE_CHATD_MEMORY_MAX=2G\n");
        assertThat(run("install", "--root", root.toString())).contains("lakehouse-chatd: MemoryMax=2G");
        Path dropIn = root.resolve("etc/systemd/system/lakehouse-chatd.service.d/50-memory.conf");
        assertThat(Files.readString(dropIn)).contains("[Service]\nMemoryMax=2G\n");
        Files.writeString(chatdEnv, Files.readString(chatdEnv).replace("LAKEHOUSE_CHATD_MEMORY_MAX=2G\n", "LAKEHOUSE_CHATD_MEMORY_MAX=lots\n"));
        assertThat(run("install", "--root", root.toString())).startsWith("1\n").contains("not a size systemd takes");
        Files.writeString(chatdEnv, Files.readString(chatdEnv).replace("LAKEHOUSE_CHATD_MEMORY_MAX=lots\n", ""));
        assertThat(run("install", "--root", root.toString())).contains("lakehouse-chatd: MemoryMax back to etc/jvm.env's");
        assertThat(dropIn).doesNotExist();

        // an upgrade of one daemon: its module's build is replaced, the old one kept
        Files.writeString(prefix.resolve("chatd/libs/marker-of-the-old-build"), "old");
        String upgrade = run("install", "--only", "chatd", "--root", root.toString());
        assertThat(upgrade).as(upgrade).startsWith("0\n").contains("installed chatd");
        assertThat(prefix.resolve("chatd.prev/libs/marker-of-the-old-build")).isRegularFile();
        assertThat(prefix.resolve("chatd/libs/marker-of-the-old-build")).doesNotExist();
        String back = run("rollback", "chatd", "--root", root.toString());
        assertThat(back).startsWith("0\n").contains("rolled chatd back");
        assertThat(prefix.resolve("chatd/libs/marker-of-the-old-build")).isRegularFile();
        assertThat(run("rollback", "nosuchd", "--root", root.toString())).startsWith("2\n").contains("no daemon 'nosuchd'");

        Files.createDirectories(root.resolve("var/lib/lakehouse/vectord"));
        Files.writeString(root.resolve("var/lib/lakehouse/vectord/wal"), "state");
        String gone = run("uninstall", "--root", root.toString());
        assertThat(gone).startsWith("0\n").contains("state kept");
        assertThat(prefix).doesNotExist();
        assertThat(root.resolve("etc/systemd/system/lakehouse.target")).doesNotExist();
        assertThat(root.resolve("var/lib/lakehouse/vectord/wal")).isRegularFile();
        assertThat(run("uninstall", "--purge", "--root", root.toString())).startsWith("0\n");
        assertThat(root.resolve("var/lib/lakehouse")).doesNotExist();
        assertThat(root.resolve("etc/lakehouse")).doesNotExist();
    }
}
