package dev.lakehouse.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.lakehouse.validatord.roster.RosterGenerator;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse roster generate}: the deterministic synthetic worker roster validatord loads (docs/validator.md). */
@Command(name = "roster", description = "The worker roster validatord loads.",
        subcommands = {RosterCommand.Generate.class})
final class RosterCommand extends LakehouseCli.Group {
    static final int DEFAULT_ROWS = 500_000;
    static final long DEFAULT_SEED = 42;


    @Command(name = "generate", description = "Write a deterministic synthetic roster (Parquet): the same rows and seed give "
            + "a byte-identical file.")
    static final class Generate extends LakehouseCli.Base {
        @Option(names = "--rows", defaultValue = "500000", description = "workers, 1 to 999999 (default ${DEFAULT-VALUE})")
        int rows;

        @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", description = "output file (default: LAKEHOUSE_ROSTER, else data/workers.parquet)")
        Path out;

        @Override
        public Integer call() throws IOException {
            if (rows < 1 || rows > RosterGenerator.MAX_ROWS) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--rows must be from 1 to "
                        + RosterGenerator.MAX_ROWS + " (worker ids have six digits), not " + rows);
            }
            Path file = out == null ? stack.rosterPath() : out.toAbsolutePath();
            generate(file, rows, seed, out());
            return 0;
        }
    }

    /** Generates with a progress bar on stderr, then prints the file, its size and the time taken. */
    static void generate(Path file, int rows, long seed, PrintWriter out) throws IOException {
        long t0 = System.nanoTime();
        try (ProgressBar bar = CliProgress.bar("roster", rows).setUnit(" workers", 1).build()) {
            RosterGenerator.write(file, rows, seed, bar::stepTo);
        }
        out.printf("wrote %s: %d workers, seed %d, %.1f MiB in %.1f s%n", file, rows, seed, Files.size(file) / 1048576.0,
                (System.nanoTime() - t0) / 1e9);
        out.flush();
    }
}
