package dev.lakehouse.cli;

import java.util.List;
import java.util.Locale;

/** Renders probes as the fixed-width table of {@code bin/lakehouse status}. */
final class StatusTable {
    private static final String FORMAT = "%-11s %-6s %-8s %-8s %-26s %-9s %s%n";

    private StatusTable() {
    }

    static String render(List<LocalStack.Probe> probes, java.util.function.Predicate<LocalStack.Probe> hasModule) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, FORMAT, "DAEMON", "PORT", "PID", "HEALTH", "READY", "RSS", "UPTIME"));
        for (LocalStack.Probe p : probes) {
            String health = p.health();
            String ready = p.ready();
            if (!p.built() && p.pid().isEmpty() && "-".equals(health)) {
                health = "not built";
                ready = hasModule.test(p) ? "(run: bin/lakehouse build)" : "(module not written yet)";
            } else if (p.pid().isEmpty() && "-".equals(health)) {
                health = "stopped";
            }
            sb.append(String.format(Locale.ROOT, FORMAT, p.daemon().daemonName(), p.port(),
                    p.pid().isPresent() ? Long.toString(p.pid().getAsLong()) : "-", health, ready,
                    p.rssBytes().isPresent() ? mib(p.rssBytes().getAsLong()) : "-",
                    p.uptimeS().isPresent() ? duration(p.uptimeS().getAsLong()) : "-"));
        }
        return sb.toString();
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + seconds % 60 + "s";
        }
        return seconds / 3600 + "h" + seconds % 3600 / 60 + "m";
    }
}
