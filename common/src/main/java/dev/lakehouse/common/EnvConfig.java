package dev.lakehouse.common;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration read from environment variables, with typed accessors that fail
 * with a {@link ConfigException} naming the variable when a value is unusable.
 * The lookup is injectable so tests never touch the real environment.
 *
 * <p>Lakehouse-wide variables (docs/configuration.md): {@code LAKEHOUSE_<DAEMON>_PORT},
 * {@code LAKEHOUSE_<DAEMON>_URL}, {@code LAKEHOUSE_BIND} (default 127.0.0.1),
 * {@code LAKEHOUSE_DATA_DIR} (default ./data; each daemon in its own subdirectory),
 * and {@code LAKEHOUSE_ENV_FILE}, an optional file of {@code NAME=value} lines
 * consulted for variables the environment does not set.
 */
public final class EnvConfig {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    private final Function<String, String> lookup;

    private EnvConfig(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** The process environment, backed by {@code LAKEHOUSE_ENV_FILE} when that is set. */
    public static EnvConfig fromEnvironment() {
        Map<String, String> env = System.getenv();
        String file = env.get("LAKEHOUSE_ENV_FILE");
        if (file == null || file.isBlank()) {
            return new EnvConfig(env::get);
        }
        Map<String, String> fromFile = readEnvFile(Path.of(file));
        return new EnvConfig(name -> env.containsKey(name) ? env.get(name) : fromFile.get(name));
    }

    /** A fixed map, for tests and tools. */
    public static EnvConfig of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new EnvConfig(copy::get);
    }

    static Map<String, String> readEnvFile(Path file) {
        try {
            Map<String, String> values = new HashMap<>();
            int lineNo = 0;
            for (String raw : Files.readAllLines(file)) {
                lineNo++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("export ")) {
                    line = line.substring(7).strip();
                }
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("LAKEHOUSE_ENV_FILE " + file + " line " + lineNo + " is not NAME=value");
                }
                String value = line.substring(eq + 1).strip();
                if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                        || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(line.substring(0, eq).strip(), value);
            }
            return values;
        } catch (IOException e) {
            throw new ConfigException("LAKEHOUSE_ENV_FILE " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** The raw value, empty when unset or blank. */
    public Optional<String> get(String name) {
        String value = lookup.apply(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /**
     * A secret (an API key, a password): the value, registered with {@link Redact}
     * so that it can never appear in a log line or an error body.
     */
    public Optional<String> secret(String name) {
        Optional<String> value = get(name);
        value.ifPresent(Redact::register);
        return value;
    }

    public String string(String name, String defaultValue) {
        return get(name).orElse(defaultValue);
    }

    public int integer(String name, int defaultValue, int min, int max) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw bad(name, raw.get(), "a whole number from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw bad(name, raw.get(), "a whole number from " + min + " to " + max);
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw bad(name, raw.get(), "true or false");
        };
    }

    /** A byte size: {@code 1048576}, {@code 512k}, {@code 256MiB}, {@code 2g} (binary units). */
    public long bytes(String name, long defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(raw.get());
        if (!m.matches()) {
            throw bad(name, raw.get(), "a size such as 1048576, 512k, 256MiB or 2g");
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT).substring(0, 1)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw bad(name, raw.get(), "a size that fits in 63 bits");
        }
    }

    /** A duration: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}; a bare number is milliseconds. */
    public Duration duration(String name, Duration defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(raw.get());
        if (!m.matches()) {
            throw bad(name, raw.get(), "a duration such as 250ms, 5s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMillis(n);
        };
    }

    public Path path(String name, Path defaultValue) {
        return get(name).map(Path::of).orElse(defaultValue);
    }

    /** An absolute http(s) URL. */
    public URI url(String name, URI defaultValue) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            URI uri = new URI(raw.get());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw bad(name, raw.get(), "an absolute http:// or https:// URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw bad(name, raw.get(), "an absolute http:// or https:// URL");
        }
    }

    /** {@code LAKEHOUSE_<DAEMON>_PORT}, default the given port. Port 0 picks a free port. */
    public int port(String daemonName, int defaultPort) {
        return integer("LAKEHOUSE_" + DaemonId.envName(daemonName) + "_PORT", defaultPort, 0, 65535);
    }

    private volatile Optional<InternalToken> internalToken;

    /**
     * The stack's internal token, from the file {@code LAKEHOUSE_INTERNAL_TOKEN_FILE} names (read once); empty when the
     * variable is unset. A missing, short or malformed file fails start-up naming the variable.
     */
    public Optional<InternalToken> internalToken() {
        Optional<InternalToken> t = internalToken;
        if (t == null) {
            t = InternalToken.load(this);
            internalToken = t;
        }
        return t;
    }

    /** {@code LAKEHOUSE_BIND}, default 127.0.0.1. */
    public String bind() {
        return string("LAKEHOUSE_BIND", "127.0.0.1");
    }

    /**
     * The worker roster's Parquet file, {@code LAKEHOUSE_ROSTER}, default {@code workers.parquet} in {@code LAKEHOUSE_DATA_DIR}
     * (./data): validatord serves it, distilld masks its workers' contacts, the CLI makes the demo one.
     */
    public Path roster() {
        return path("LAKEHOUSE_ROSTER", path("LAKEHOUSE_DATA_DIR", Path.of("data")).resolve("workers.parquet"));
    }

    /** {@code LAKEHOUSE_DATA_DIR}/{@code <daemon>}, default {@code ./data/<daemon>}. */
    public Path dataDir(String daemonName) {
        return path("LAKEHOUSE_DATA_DIR", Path.of("data")).resolve(daemonName).toAbsolutePath().normalize();
    }

    /** Where a peer daemon answers: {@code LAKEHOUSE_<DAEMON>_URL}, else localhost on its port. */
    public URI peerUrl(DaemonId peer) {
        int port = port(peer.daemonName(), peer.defaultPort());
        return url("LAKEHOUSE_" + peer.envName() + "_URL", URI.create("http://127.0.0.1:" + port));
    }

    private static ConfigException bad(String name, String value, String expected) {
        return new ConfigException(name + "=" + Objects.toString(value) + " is not valid: expected " + expected);
    }
}
