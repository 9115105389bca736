package dev.lakehouse.common;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * JSON-lines logging on standard output through java.util.logging (which Helidon
 * logs through too): one object per line with {@code ts}, {@code level},
 * {@code daemon}, {@code logger}, {@code msg}, the request id when there is one,
 * and any fields passed as a {@code Map} parameter. Every line goes through
 * {@link Redact}. Level from {@code LAKEHOUSE_LOG_LEVEL} (default INFO).
 */
public final class Logs {
    private static final Logger ACCESS = Logger.getLogger("lakehouse.access");

    private Logs() {
    }

    /** Replaces the root handlers with the JSON handler. Call once, first thing in main. */
    public static void install(String daemon, EnvConfig env) {
        Level level = parseLevel(env.string("LAKEHOUSE_LOG_LEVEL", "INFO"));
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler handler = new StreamHandler(System.out, new JsonFormatter(daemon)) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    static Level parseLevel(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "TRACE", "FINEST" -> Level.FINEST;
            case "DEBUG", "FINE" -> Level.FINE;
            case "INFO" -> Level.INFO;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR", "SEVERE" -> Level.SEVERE;
            default -> throw new ConfigException("LAKEHOUSE_LOG_LEVEL=" + name + " is not valid: expected DEBUG, INFO, WARN or ERROR");
        };
    }

    /** One access line: method, path (never the query), status, ms, request id. */
    public static void access(String method, String path, int status, double ms) {
        if (!ACCESS.isLoggable(Level.INFO)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", method);
        fields.put("path", path);
        fields.put("status", status);
        fields.put("ms", Math.round(ms * 1000) / 1000.0);
        ACCESS.log(Level.INFO, "request", fields);
    }

    /** Logs a message with structured fields. */
    public static void info(Logger logger, String msg, Map<String, ?> fields) {
        logger.log(Level.INFO, msg, fields);
    }

    static final class JsonFormatter extends Formatter {
        private final String daemon;

        JsonFormatter(String daemon) {
            this.daemon = daemon;
        }

        @Override
        public String format(LogRecord record) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("ts", Instant.ofEpochMilli(record.getMillis()).toString());
            line.put("level", levelName(record.getLevel()));
            line.put("daemon", daemon);
            line.put("logger", record.getLoggerName());
            Object[] params = record.getParameters();
            boolean structured = params != null && params.length == 1 && params[0] instanceof Map<?, ?>;
            line.put("msg", Redact.text(structured ? record.getMessage() : formatMessage(record)));
            RequestContext.currentId().ifPresent(id -> line.put("request_id", id));
            if (structured) {
                ((Map<?, ?>) params[0]).forEach((k, v) -> line.put(String.valueOf(k),
                        v instanceof String s ? Redact.text(s) : v));
            }
            if (record.getThrown() != null) {
                StringWriter sw = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(sw));
                line.put("error", Redact.text(sw.toString()));
            }
            return new String(Json.bytes(line), java.nio.charset.StandardCharsets.UTF_8) + "\n";
        }

        private static String levelName(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (level.intValue() >= Level.INFO.intValue()) {
                return "INFO";
            }
            return "DEBUG";
        }
    }
}
