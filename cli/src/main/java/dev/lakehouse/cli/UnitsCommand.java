package dev.lakehouse.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse units [--out DIR] [--check]}: renders the systemd units from {@code etc/jvm.env} and the daemon
 * table into {@code systemd/} (default), or checks that the files there are what it renders (exit 1 naming the ones
 * that drifted). docs/deploy.md.
 */
@Command(name = "units", description = "Render the systemd units (systemd/) from etc/jvm.env and the daemon table; --check compares.")
final class UnitsCommand extends LakehouseCli.Base {
    @Option(names = "--out", description = "where to write them (default: systemd/ of this checkout)")
    Path out;

    @Option(names = "--check", description = "write nothing; exit 1 when a file differs from what would be rendered")
    boolean check;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : stack.home().resolve("systemd");
        Map<String, String> units = SystemdUnits.render(JvmFlags.load(stack.home()));
        int drifted = 0;
        for (Map.Entry<String, String> u : units.entrySet()) {
            Path f = dir.resolve(u.getKey());
            if (check) {
                if (!Files.exists(f) || !Files.readString(f).equals(u.getValue())) {
                    err().println(f + " is not what `bin/lakehouse units` renders from etc/jvm.env");
                    drifted++;
                }
            } else {
                Files.createDirectories(dir);
                Files.writeString(f, u.getValue());
            }
        }
        out().println(check ? (drifted == 0 ? units.size() + " units as rendered" : drifted + " of " + units.size() + " units drifted")
                : "wrote " + units.size() + " units to " + dir);
        return drifted == 0 ? 0 : 1;
    }
}
