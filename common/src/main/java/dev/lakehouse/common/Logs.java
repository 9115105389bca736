package dev.lakehouse.common;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
        AsyncLineHandler handler = new AsyncLineHandler(new JsonFormatter(daemon),
                new FileOutputStream(FileDescriptor.out), 65_536);
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        Runtime.getRuntime().addShutdownHook(new Thread(handler::flush, "log-flush"));
    }

    /** Writes out every queued log line; the kit calls it at the end of a graceful stop. */
    public static void flush() {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.flush();
        }
    }

    /**
     * A log handler that leaves formatting and writing to one background thread: the caller only notes its request id
     * (the one thing of the record that lives in its thread) and queues the record; the writer formats whatever
     * records are waiting and writes them with one flush. A request so never pays for its access line's JSON, nor waits
     * on a write system call or another request's line. The queue is bounded; when it is full the caller formats and
     * writes its line itself, so no line is ever dropped. Lines queued when the process is killed with -9 are lost.
     */
    static final class AsyncLineHandler extends Handler {
        /** A record and the request id of the thread that logged it. */
        private record Queued(LogRecord record, String requestId) {
        }

        private final BlockingQueue<Queued> queue;
        private final Writer out;
        private final ReentrantLock writeLock = new ReentrantLock();

        AsyncLineHandler(Formatter formatter, OutputStream stream, int capacity) {
            setFormatter(formatter);
            this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
            this.queue = new ArrayBlockingQueue<>(capacity);
            Thread.ofPlatform().name("log-writer").daemon(true).start(this::drain);
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            Queued q = new Queued(record, RequestContext.currentId().orElse(null));
            if (!queue.offer(q)) {
                write(List.of(q));
            }
        }

        private void drain() {
            List<Queued> batch = new ArrayList<>(1024);
            while (true) {
                try {
                    batch.add(queue.take());
                    queue.drainTo(batch, 4095);
                    write(batch);
                    batch.clear();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private String line(Queued q) {
            return getFormatter() instanceof JsonFormatter json ? json.format(q.record(), q.requestId()) : getFormatter().format(q.record());
        }

        private void write(List<Queued> records) {
            writeLock.lock();
            try {
                for (Queued q : records) {
                    String line;
                    try {
                        line = line(q);
                    } catch (RuntimeException e) {   // a field that cannot be written: said, and the other lines go on
                        reportError("cannot format a log record", e, java.util.logging.ErrorManager.FORMAT_FAILURE);
                        continue;
                    }
                    out.write(line);
                }
                out.flush();
            } catch (IOException e) {
                reportError("cannot write log lines", e, java.util.logging.ErrorManager.WRITE_FAILURE);
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void flush() {
            List<Queued> rest = new ArrayList<>();
            queue.drainTo(rest);
            write(rest);
        }

        @Override
        public void close() {
            flush();
        }
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

        /**
         * Written by hand for the fixed fields (every request passes here); Jackson
         * only for field values that are neither strings, numbers nor booleans.
         */
        @Override
        public String format(LogRecord record) {
            return format(record, RequestContext.currentId().orElse(null));
        }

        /** The line of a record logged while serving {@code requestId} (null: none). */
        String format(LogRecord record, String requestId) {
            StringBuilder sb = new StringBuilder(256).append('{');
            field(sb, "ts", Instant.ofEpochMilli(record.getMillis()).toString());
            field(sb, "level", levelName(record.getLevel()));
            field(sb, "daemon", daemon);
            field(sb, "logger", record.getLoggerName());
            Object[] params = record.getParameters();
            boolean structured = params != null && params.length == 1 && params[0] instanceof Map<?, ?>;
            field(sb, "msg", Redact.text(structured ? record.getMessage() : formatMessage(record)));
            if (requestId != null) {
                field(sb, "request_id", requestId);
            }
            if (structured) {
                ((Map<?, ?>) params[0]).forEach((k, v) -> field(sb, String.valueOf(k), v instanceof String str ? Redact.text(str) : v));
            }
            if (record.getThrown() != null) {
                StringWriter sw = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(sw));
                field(sb, "error", Redact.text(sw.toString()));
            }
            sb.setCharAt(sb.length() - 1, '}');
            return sb.append('\n').toString();
        }

        private static void field(StringBuilder sb, String name, Object value) {
            quote(sb, name);
            sb.append(':');
            switch (value) {
                case null -> sb.append("null");
                case String str -> quote(sb, str);
                case Integer i -> sb.append(i);
                case Long l -> sb.append(l);
                case Double d when Double.isFinite(d) -> sb.append(d);
                case Boolean b -> sb.append(b);
                default -> sb.append(new String(Json.bytes(value), StandardCharsets.UTF_8));
            }
            sb.append(',');
        }

        /** A JSON string literal (RFC 8259 escapes). */
        static void quote(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
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
