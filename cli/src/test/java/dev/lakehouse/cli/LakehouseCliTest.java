package dev.lakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.EnvConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakehouseCliTest {
    @TempDir
    Path home;

    LocalStack stack() {
        // ports nobody listens on, so probes find nothing running
        return new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_EMBEDD_PORT", "1", "LAKEHOUSE_GATEWAY_PORT", "1")));
    }

    static String run(LocalStack stack, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LakehouseCli.execute(stack, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return code + "\n" + out + err;
    }

    @Test
    void status_listsAllElevenDaemons_notBuiltOnes_sayingSo() throws Exception {
        Path main = home.resolve("embedd/src/main/java/dev/lakehouse/embedd/EmbeddMain.java");
        Files.createDirectories(main.getParent());
        Files.writeString(main, "class EmbeddMain {}");
        String out = run(stack(), "status");
        assertThat(out).startsWith("0\n").contains("DAEMON").contains("PORT").contains("RSS").contains("UPTIME");
        for (DaemonId d : DaemonId.values()) {
            assertThat(out).containsPattern("(?m)^" + d.daemonName() + "\\s+\\d+\\s+-\\s+not built");
        }
        assertThat(out).contains("(run: bin/lakehouse build)").contains("(module not written yet)");
    }

    @Test
    void rosterGenerate_writesTheFile_andRefusesImpossibleRowCounts() throws Exception {
        Path out = home.resolve("r/workers.parquet");
        String result = run(stack(), "roster", "generate", "--rows", "2000", "--seed", "7", "--out", out.toString());
        assertThat(result).startsWith("0\n").contains("wrote " + out + ": 2000 workers, seed 7");
        assertThat(Files.size(out)).isPositive();
        byte[] first = Files.readAllBytes(out);
        run(stack(), "roster", "generate", "--rows", "2000", "--seed", "7", "--out", out.toString());
        assertThat(Files.readAllBytes(out)).isEqualTo(first);
        assertThat(run(stack(), "roster", "generate", "--rows", "0")).startsWith("2\n").contains("--rows must be from 1");
        assertThat(stack().rosterPath()).isEqualTo(home.resolve("data/workers.parquet"));
        assertThat(new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_ROSTER", "x/w.parquet"))).rosterPath())
                .isEqualTo(home.resolve("x/w.parquet"));
    }

    @Test
    void status_readsPortsFromEnvironment() {
        String out = run(new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_CHATD_PORT", "5218"))), "status");
        assertThat(out).containsPattern("(?m)^chatd\\s+5218\\s");
    }

    @Test
    void up_withNoModules_failsClearly() {
        String out = run(stack(), "up", "embedd");
        assertThat(out).startsWith("1\n").contains("embedd: not written yet");
    }

    @Test
    void unknownDaemon_isAUsageError() {
        String out = run(stack(), "up", "nosuchd");
        assertThat(out).startsWith("2\n").contains("unknown daemon 'nosuchd'").contains("embedd");
    }

    @Test
    void down_ofNothingRunning_isQuiet() {
        assertThat(run(stack(), "down")).isEqualTo("0\n");
    }

    @Test
    void command_usesSmallHeapsAndOwnSession_orOperatorFlags() {
        List<String> cmd = stack().command(DaemonId.EMBEDD);
        assertThat(cmd).contains("-Xmx768m", "-XX:+UseSerialGC", "dev.lakehouse.embedd.EmbeddMain");
        assertThat(cmd.get(cmd.size() - 2)).endsWith("embedd/target/embedd.jar");
        List<String> custom = new LocalStack(home, EnvConfig.of(Map.of("LAKEHOUSE_EMBEDD_JAVA_OPTS", "-Xmx1g -Dx=y")))
                .command(DaemonId.EMBEDD);
        assertThat(custom).contains("-Xmx1g", "-Dx=y").doesNotContain("-Xmx768m");
    }

    @Test
    void pidFile_ofAnotherProgram_isNotTakenForTheDaemon() throws Exception {
        LocalStack stack = stack();
        Files.createDirectories(home.resolve("run"));
        Files.writeString(stack.pidFile(DaemonId.EMBEDD), Long.toString(ProcessHandle.current().pid()));
        assertThat(stack.process(DaemonId.EMBEDD)).isEmpty();
    }

    @Test
    void vmRss_isParsedFromProcStatus() {
        assertThat(LocalStack.parseVmRss(List.of("Name:\tjava", "VmRSS:\t  123456 kB", "Threads: 9")))
                .isEqualTo(OptionalLong.of(123456L * 1024));
        assertThat(LocalStack.rssOf(ProcessHandle.current().pid())).isPresent();
    }

    @Test
    void durations_andSizes_areHumanReadable() {
        assertThat(StatusTable.duration(42)).isEqualTo("42s");
        assertThat(StatusTable.duration(125)).isEqualTo("2m5s");
        assertThat(StatusTable.duration(7322)).isEqualTo("2h2m");
        assertThat(StatusTable.mib(150L << 20)).isEqualTo("150 MiB");
    }

    /** A child that exits under a parent that never reaps it: a zombie, as a daemon is right after kill -9. */
    static long zombie(List<Process> keep) throws Exception {
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        keep.add(parent);
        long pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream())).readLine().strip());
        for (int i = 0; i < 200 && !LocalStack.isZombie(pid); i++) {
            Thread.sleep(10);
        }
        return pid;
    }

    @Test
    void aZombie_aDeadPid_andAForeignProcess_areNotRunning() throws Exception {
        List<Process> keep = new java.util.ArrayList<>();
        try {
            LocalStack stack = stack();
            Files.createDirectories(stack.pidFile(DaemonId.VECTORD).getParent());
            long zombie = zombie(keep);
            assertThat(LocalStack.isZombie(zombie)).isTrue();
            assertThat(ProcessHandle.of(zombie).map(ProcessHandle::isAlive)).as("the JDK calls a zombie alive").contains(true);
            Files.writeString(stack.pidFile(DaemonId.VECTORD), Long.toString(zombie));
            assertThat(stack.process(DaemonId.VECTORD)).as("zombie").isEmpty();

            Process foreign = new ProcessBuilder("sleep", "30").start();
            keep.add(foreign);
            Files.writeString(stack.pidFile(DaemonId.VECTORD), Long.toString(foreign.pid()));
            assertThat(stack.process(DaemonId.VECTORD)).as("another program under a reused pid").isEmpty();

            Process dead = new ProcessBuilder("true").start();
            dead.waitFor();
            Files.writeString(stack.pidFile(DaemonId.VECTORD), Long.toString(dead.pid()));
            assertThat(stack.process(DaemonId.VECTORD)).as("a dead pid").isEmpty();

            Process ours = new ProcessBuilder("sh", "-c", "sleep 30; :", DaemonId.VECTORD.mainClass()).start();
            keep.add(ours);
            Files.writeString(stack.pidFile(DaemonId.VECTORD), Long.toString(ours.pid()));
            assertThat(stack.process(DaemonId.VECTORD)).as("a live process running the daemon's main class").isPresent();
            assertThat(LocalStack.isZombie(ours.pid())).isFalse();
        } finally {
            keep.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void matrixIngest_sendsBatches_followsTheJobs_andRefusesABadLineBeforeSendingAnything() throws Exception {
        java.util.List<Integer> batches = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        dev.lakehouse.common.DaemonServer matrixd = dev.lakehouse.common.DaemonServer.builder("fakematrixd",
                        EnvConfig.of(Map.of("LAKEHOUSE_FAKEMATRIXD_PORT", "0")), 0).embedded()
                .routing(r -> r
                        .post("/v1/matrix/corpora/{name}/documents", (req, res) -> {
                            var body = dev.lakehouse.common.Json.mapper().readTree(req.content().inputStream());
                            int n = body.path("documents").size();
                            batches.add(n);
                            dev.lakehouse.common.Json.send(res, 202, Map.of("job_id", "j" + batches.size() + "-" + n));
                        })
                        .get("/v1/matrix/jobs/{id}", (req, res) -> {
                            String id = req.path().pathParameters().get("id");
                            int n = Integer.parseInt(id.substring(id.indexOf('-') + 1));
                            boolean done = polls.incrementAndGet() % 2 == 0;
                            dev.lakehouse.common.Json.send(res, 200, Map.of("id", id, "state", done ? "done" : "running",
                                    "documents_done", done ? n : 0, "chunks", done ? 2 * n : 0, "failures", 0, "errors", List.of()));
                        }))
                .start();
        try {
            Path file = home.resolve("docs.jsonl");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                lines.append("{\"id\":\"d").append(i).append("\",\"text\":\"text ").append(i).append("\"}\n");
            }
            Files.writeString(file, lines.toString());
            String url = "http://127.0.0.1:" + matrixd.port();
            String ok = run(stack(), "matrix", "ingest", file.toString(), "--corpus", "jobs", "--batch", "2", "--url", url);
            assertThat(ok).startsWith("0\n").contains("ingested 5 documents into jobs: 10 chunks, 0 failed");
            assertThat(batches).containsExactly(2, 2, 1);

            Files.writeString(file, lines + "{\"id\":\"x\"\n");
            String bad = run(stack(), "matrix", "ingest", file.toString(), "--corpus", "jobs", "--url", url);
            assertThat(bad).startsWith("2\n").contains("line 6 is not JSON");
            assertThat(batches).as("nothing sent for a file with a bad line").hasSize(3);
        } finally {
            matrixd.stop();
        }
    }

    /** Every command and sub-command, however deep, answers --help and -h with its usage, and exits 0 (issue 30). */
    @Test
    void everyCommandAndSubCommand_answersHelp() {
        java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
        collect(new picocli.CommandLine(new LakehouseCli()), new java.util.ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(20);
        for (java.util.List<String> path : paths) {
            for (String flag : java.util.List.of("--help", "-h")) {
                java.util.List<String> args = new java.util.ArrayList<>(path);
                args.add(flag);
                String out = run(stack(), args.toArray(String[]::new));
                assertThat(out).as(String.join(" ", args)).startsWith("0\n").contains("Usage: lakehouse" + (path.isEmpty() ? ""
                        : " " + String.join(" ", path))).doesNotContain("Unknown option");
            }
        }
    }

    private static void collect(picocli.CommandLine c, java.util.List<String> path, java.util.List<java.util.List<String>> out) {
        out.add(java.util.List.copyOf(path));
        c.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().name().equals(name)) {
                return;   // an alias
            }
            java.util.List<String> next = new java.util.ArrayList<>(path);
            next.add(name);
            collect(sub, next, out);
        });
    }
}
