package dev.lakehouse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.DaemonId;

/**
 * {@code etc/jvm.env}: each daemon's JVM flags and memory limit, the one source of truth that {@code bin/lakehouse},
 * the systemd units, the Kubernetes manifests and the images are made from (docs/deploy.md). A file of
 * {@code KEY=VALUE} lines in systemd's {@code EnvironmentFile=} format, so the units read it as it is.
 */
record JvmFlags(Map<DaemonId, List<String>> flags, Map<DaemonId, Long> memoryMax) {
    static final String FILE = "etc/jvm.env";
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})([KMG]?)");
    private static final Pattern HEAP = Pattern.compile("-Xmx([0-9]{1,9})([kmgKMG]?)");

    /**
     * The file under {@code home} (a checkout, or an installed tree), else the copy the CLI's jar carries; a line that
     * is wrong stops with the file and line.
     */
    static JvmFlags load(Path home) {
        Path file = home.resolve(FILE);
        List<String> lines;
        try {
            if (Files.exists(file)) {
                lines = Files.readAllLines(file);
            } else {
                try (var in = JvmFlags.class.getResourceAsStream("/" + FILE)) {
                    if (in == null) {
                        throw new IOException("no such file, and the CLI's jar has no copy");
                    }
                    lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0 || !l.substring(0, eq).matches("LAKEHOUSE_[A-Z]+_(JAVA_OPTS|MEMORY_MAX)")) {
                throw new ConfigException(file + " line " + (i + 1) + ": not LAKEHOUSE_<DAEMON>_JAVA_OPTS=… or _MEMORY_MAX=…");
            }
            values.put(l.substring(0, eq), l.substring(eq + 1).strip());
        }
        Map<DaemonId, List<String>> flags = new EnumMap<>(DaemonId.class);
        Map<DaemonId, Long> memory = new EnumMap<>(DaemonId.class);
        for (DaemonId d : DaemonId.values()) {
            String opts = values.get("LAKEHOUSE_" + d.envName() + "_JAVA_OPTS");
            String max = values.get("LAKEHOUSE_" + d.envName() + "_MEMORY_MAX");
            if (opts == null || max == null) {
                throw new ConfigException(file + " has no LAKEHOUSE_" + d.envName() + (opts == null ? "_JAVA_OPTS" : "_MEMORY_MAX"));
            }
            List<String> f = List.of(opts.split("\\s+"));
            long heap = heapBytes(f);
            long limit = bytes(max, file + ": LAKEHOUSE_" + d.envName() + "_MEMORY_MAX");
            if (heap <= 0 || limit < heap + (128L << 20)) {
                throw new ConfigException(file + ": " + d.daemonName() + "'s memory limit " + max + " must exceed its heap (-Xmx) by at "
                        + "least 128M of off-heap headroom");
            }
            flags.put(d, f);
            memory.put(d, limit);
        }
        return new JvmFlags(Map.copyOf(flags), Map.copyOf(memory));
    }

    /** The -Xmx of a flag list in bytes, or -1 when it has none. */
    static long heapBytes(List<String> flags) {
        long out = -1;
        for (String f : flags) {
            Matcher m = HEAP.matcher(f);
            if (m.matches()) {
                out = Long.parseLong(m.group(1)) << shift(m.group(2).toUpperCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    static long bytes(String size, String what) {
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new ConfigException(what + " '" + size + "' is not a size (1536M, 2G)");
        }
        return Long.parseLong(m.group(1)) << shift(m.group(2));
    }

    private static int shift(String unit) {
        return switch (unit) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
    }

    /** A size as systemd and Kubernetes write it: whole mebibytes ({@code 1536M}). */
    static String mebibytes(long bytes) {
        return (bytes >> 20) + "M";
    }

    static List<DaemonId> all() {
        return Arrays.asList(DaemonId.values());
    }
}
