package dev.lakehouse.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.EnvConfig;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/lakehouse}: start, stop, restart and inspect the daemons of this
 * checkout as separate processes. {@code bin/lakehouse test} is handled by the
 * shell entry itself (it runs the test suite and needs no built jar).
 */
@Command(name = "lakehouse", mixinStandardHelpOptions = true, version = "lakehouse 0.1.0",
        description = "Operate the Lakehouse daemons of this checkout.",
        subcommands = {LakehouseCli.Up.class, LakehouseCli.Down.class, LakehouseCli.Status.class,
                LakehouseCli.Restart.class, LakehouseCli.Logs.class, RosterCommand.class, MatrixCommand.class, DistillCommand.class,
                RenderCommand.class, ImagesCommand.class, CutoverCommand.class, EraseCommand.class},
        footer = {"", "  build     Build every module (./mvnw -DskipTests package); handled by bin/lakehouse itself.",
                "  test      Run every test (./mvnw -B verify); handled by bin/lakehouse itself.",
                "", "Environment: LAKEHOUSE_<DAEMON>_PORT, LAKEHOUSE_DATA_DIR, LAKEHOUSE_RUN_DIR, LAKEHOUSE_LOG_DIR,",
                "LAKEHOUSE_<DAEMON>_JAVA_OPTS (docs/operations.md)."})
public final class LakehouseCli implements Runnable {
    /** Start order: the observation and journal daemons first (others record through them), the gateway last. */
    static final List<DaemonId> START_ORDER = List.of(DaemonId.OBSERVERD, DaemonId.JOURNALD, DaemonId.EMBEDD,
            DaemonId.VECTORD, DaemonId.CHATD, DaemonId.VALIDATORD, DaemonId.TRUTHD, DaemonId.MATRIXD,
            DaemonId.PATHWAYD, DaemonId.DISTILLD, DaemonId.GATEWAY);
    /** Stopped last by {@code down}. */
    static final Set<DaemonId> OBSERVERS = Set.of(DaemonId.OBSERVERD, DaemonId.JOURNALD);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // the CLI's own output is the terminal's; libraries (Parquet, Hadoop) speak up only for warnings
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.exit(execute(stackFromEnvironment(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    static int execute(LocalStack stack, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new LakehouseCli(), new Factory(stack));
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static LocalStack stackFromEnvironment() {
        String home = System.getProperty("lakehouse.home");
        return new LocalStack(Path.of(home == null ? "." : home).toAbsolutePath().normalize(), EnvConfig.fromEnvironment());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Hands the one LocalStack to every subcommand. */
    private record Factory(LocalStack stack) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (Base.class.isAssignableFrom(cls)) {
                K command = cls.getDeclaredConstructor().newInstance();
                ((Base) command).stack = stack;
                return command;
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    /** A command that only groups others: run alone, it prints its usage. */
    abstract static class Group implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    abstract static class Base implements Callable<Integer> {
        LocalStack stack;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** Names → daemons in start order; none named means all eleven. */
        List<DaemonId> select(List<String> names) {
            if (names == null || names.isEmpty()) {
                return START_ORDER;
            }
            Set<DaemonId> chosen = new LinkedHashSet<>();
            for (String n : names) {
                chosen.add(DaemonId.byName(n).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                        "unknown daemon '" + n + "'; daemons: " + Arrays.stream(DaemonId.values())
                                .map(DaemonId::daemonName).collect(Collectors.joining(", ")))));
            }
            return START_ORDER.stream().filter(chosen::contains).toList();
        }

        void printStatus(List<DaemonId> daemons) {
            out().print(StatusTable.render(daemons.stream().map(stack::probe).toList(), p -> stack.hasModule(p.daemon())));
            out().flush();
        }
    }

    @Command(name = "up", description = "Build if needed, start daemons (all by default) as separate processes, wait until ready.")
    static final class Up extends Base {
        @Parameters(arity = "0..*", paramLabel = "DAEMON", description = "daemons to start (default: all)")
        List<String> names;

        @Option(names = "--timeout", defaultValue = "120", description = "seconds to wait for readiness (default ${DEFAULT-VALUE})")
        int timeoutS;

        @Override
        public Integer call() throws Exception {
            List<DaemonId> wanted = select(names);
            List<DaemonId> present = new ArrayList<>();
            for (DaemonId d : wanted) {
                if (stack.hasModule(d)) {
                    present.add(d);
                } else {
                    out().println("skip " + d.daemonName() + ": not written yet (no " + d.mainClass() + " in this checkout)");
                }
            }
            if (present.isEmpty()) {
                err().println("nothing to start: none of the requested daemons is in this checkout yet");
                return 1;
            }
            if (present.stream().anyMatch(d -> !stack.isBuilt(d)) && build() != 0) {
                err().println("build failed; nothing started");
                return 1;
            }
            if (present.contains(DaemonId.VALIDATORD) && !Files.exists(stack.rosterPath())) {
                out().println("no roster at " + stack.rosterPath() + ": generating the demo roster ("
                        + RosterCommand.DEFAULT_ROWS + " workers, seed " + RosterCommand.DEFAULT_SEED + ")");
                out().flush();
                RosterCommand.generate(stack.rosterPath(), RosterCommand.DEFAULT_ROWS, RosterCommand.DEFAULT_SEED, out());
            }
            List<DaemonId> started = new ArrayList<>();
            for (DaemonId d : present) {
                var running = stack.process(d);
                if (running.isPresent()) {
                    out().println(d.daemonName() + " already running (pid " + running.get().pid() + ")");
                } else {
                    stack.start(d);
                    started.add(d);
                }
            }
            int failed = awaitReady(present, Duration.ofSeconds(timeoutS));
            printStatus(present);
            return failed == 0 ? 0 : 1;
        }

        private int build() throws IOException, InterruptedException {
            out().println("building (./mvnw -B -q -DskipTests package)…");
            out().flush();
            Process p = new ProcessBuilder(stack.home().resolve("mvnw").toString(), "-B", "-q", "-DskipTests", "package")
                    .directory(stack.home().toFile()).inheritIO().start();
            return p.waitFor();
        }

        private int awaitReady(List<DaemonId> daemons, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<DaemonId> pending = new LinkedHashSet<>(daemons);
            Set<DaemonId> dead = new LinkedHashSet<>();
            try (ProgressBar bar = CliProgress.bar("ready", daemons.size()).continuousUpdate().build()) {
                while (!pending.isEmpty() && System.nanoTime() < deadline) {
                    for (DaemonId d : List.copyOf(pending)) {
                        if (stack.isReady(d)) {
                            pending.remove(d);
                        } else if (stack.process(d).isEmpty()) {
                            pending.remove(d);
                            dead.add(d);
                        }
                    }
                    bar.stepTo(daemons.size() - pending.size() - dead.size());
                    bar.setExtraMessage(pending.isEmpty() ? "" : "waiting for " + pending.iterator().next().daemonName());
                    if (!pending.isEmpty()) {
                        Thread.sleep(25);
                    }
                }
            }
            for (DaemonId d : dead) {
                err().println(d.daemonName() + " exited during start; last lines of " + stack.log(d) + ":");
                err().println(tail(stack.log(d), 15));
            }
            for (DaemonId d : pending) {
                err().println(d.daemonName() + " not ready after " + timeout.toSeconds() + "s; see " + stack.log(d));
            }
            return dead.size() + pending.size();
        }
    }

    @Command(name = "down", description = "Stop daemons (all by default): SIGTERM, then SIGKILL after the grace period.")
    static final class Down extends Base {
        @Parameters(arity = "0..*", paramLabel = "DAEMON")
        List<String> names;

        @Option(names = "--grace", defaultValue = "20", description = "seconds between SIGTERM and SIGKILL (default ${DEFAULT-VALUE})")
        int graceS;

        @Override
        public Integer call() throws InterruptedException {
            List<DaemonId> daemons = select(names).stream().filter(d -> stack.process(d).isPresent()).toList();
            // in tiers, each tier's daemons in parallel: the gateway first (no new calls come in), the observers
            // last (they record what the others do while stopping)
            List<List<DaemonId>> tiers = List.of(
                    daemons.stream().filter(d -> d == DaemonId.GATEWAY).toList(),
                    daemons.stream().filter(d -> d != DaemonId.GATEWAY && !OBSERVERS.contains(d)).toList(),
                    daemons.stream().filter(OBSERVERS::contains).toList());
            List<ClassDataArchive> trained = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (List<DaemonId> tier : tiers) {
                    var stops = tier.stream().map(d -> pool.submit(() -> {
                        boolean killed = stack.stop(d, Duration.ofSeconds(graceS));
                        return d.daemonName() + (killed ? " killed (did not stop within " + graceS + "s)" : " stopped");
                    })).toList();
                    for (var stop : stops) {
                        out().println(join(stop));
                    }
                }
                for (DaemonId d : daemons) {
                    stack.archive(d).filter(ClassDataArchive::trained).ifPresent(trained::add);
                }
            }
            finishTraining(trained);
            return 0;
        }

        /** Makes the AOT caches of the daemons whose first run just ended, as many at once as there are cores. */
        private void finishTraining(List<ClassDataArchive> trained) throws InterruptedException {
            if (trained.isEmpty()) {
                return;
            }
            out().println("making the AOT caches of " + trained.size() + " daemon(s) from their first run (once per build)…");
            out().flush();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
            try (ProgressBar bar = CliProgress.bar("aot cache", trained.size()).build()) {
                var made = trained.stream().map(a -> pool.submit(() -> {
                    String what = a.finishTraining();
                    bar.step();
                    return what;
                })).toList();
                for (var m : made) {
                    String what = join(m);
                    if (what.contains("not made")) {
                        err().println(what);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }

        private static <T> T join(java.util.concurrent.Future<T> f) throws InterruptedException {
            try {
                return f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Command(name = "status", description = "Daemon, port, pid, health, readiness, RSS and uptime of all eleven daemons.")
    static final class Status extends Base {
        @Override
        public Integer call() {
            printStatus(START_ORDER);
            return 0;
        }
    }

    @Command(name = "restart", description = "Stop one daemon and start it again.")
    static final class Restart extends Base {
        @Parameters(arity = "1", paramLabel = "DAEMON")
        String name;

        @Override
        public Integer call() throws Exception {
            List<DaemonId> one = select(List.of(name));
            CommandLine parent = spec.commandLine().getParent();
            int down = parent.execute("down", name);
            return down != 0 ? down : parent.execute("up", one.get(0).daemonName());
        }
    }

    @Command(name = "logs", description = "Print the end of one daemon's log; -f to follow.")
    static final class Logs extends Base {
        @Parameters(arity = "1", paramLabel = "DAEMON")
        String name;

        @Option(names = {"-n", "--lines"}, defaultValue = "50")
        int lines;

        @Option(names = {"-f", "--follow"})
        boolean follow;

        @Override
        public Integer call() throws Exception {
            DaemonId d = select(List.of(name)).get(0);
            Path log = stack.log(d);
            if (!Files.exists(log)) {
                err().println("no log yet for " + d.daemonName() + " (" + log + ")");
                return 1;
            }
            out().println(tail(log, lines));
            out().flush();
            if (follow) {
                try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                    long pos = f.length();
                    while (!Thread.currentThread().isInterrupted()) {
                        long len = f.length();
                        if (len > pos) {
                            byte[] buf = new byte[(int) Math.min(len - pos, 1 << 20)];
                            f.seek(pos);
                            f.readFully(buf);
                            pos += buf.length;
                            out().print(new String(buf, StandardCharsets.UTF_8));
                            out().flush();
                        } else if (len < pos) {
                            pos = 0;   // truncated or rotated
                        }
                        Thread.sleep(200);
                    }
                }
            }
            return 0;
        }
    }

    static String tail(Path file, int n) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
