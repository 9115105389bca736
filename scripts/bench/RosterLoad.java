import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.RosterGenerator;
import dev.lakehouse.validatord.roster.RosterLoader;

/**
 * Roster figures: generation time and file size, load time (cold JVM, then warm)
 * and the heap the loaded roster retains (used heap after full GCs, with and
 * without it). Usage: java -cp validator.jar:libs/* RosterLoad.java ROWS FILE
 */
public class RosterLoad {
    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            RosterGenerator.write(file, rows, 42, n -> { });
            System.out.printf("generate: %d rows in %.2f s%n", rows, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("file: %.1f MiB%n", Files.size(file) / 1048576.0);
        long base = usedAfterGc();
        long t0 = System.nanoTime();
        Roster roster = RosterLoader.load(file);
        double cold = (System.nanoTime() - t0) / 1e9;
        long with = usedAfterGc();
        System.out.printf("load (cold JVM): %.2f s, %d workers%n", cold, roster.size());
        System.out.printf("retained heap: %.1f MiB (%.0f bytes/worker)%n", (with - base) / 1048576.0,
                (double) (with - base) / roster.size());
        for (int i = 0; i < 2; i++) {
            t0 = System.nanoTime();
            Roster again = RosterLoader.load(file);
            System.out.printf("load (warm %d): %.2f s%n", i + 1, (System.nanoTime() - t0) / 1e9);
            if (again.size() != roster.size()) {
                throw new AssertionError();
            }
        }
        System.out.println(roster.worker(0));
    }

    static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return mem.getUsed();
    }
}
