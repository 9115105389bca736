package dev.lakehouse.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One daemon running as its own OS process: started with a command line and an
 * environment, output appended to a log file, polled on {@code /ready}; stopped
 * with SIGTERM (then SIGKILL after a grace period) or killed with SIGKILL on
 * demand, and restartable with the same port, data directory and log.
 */
public final class ManagedDaemon {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final int port;
    private final Path dataRoot;
    private final Path log;
    private Process process;

    ManagedDaemon(String name, List<String> command, Map<String, String> env, int port, Path dataRoot, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.port = port;
        this.dataRoot = dataRoot;
        this.log = log;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** {@code LAKEHOUSE_DATA_DIR} of this daemon; its own state is under {@code <dataRoot>/<name>}. */
    public Path dataRoot() {
        return dataRoot;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the process (appending to the log) and waits until {@code /ready} answers 200. */
    public ManagedDaemon start(Duration readyTimeout) {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        awaitReady(readyTimeout);
        return this;
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; log:\n" + logTail());
            }
            if (status("/ready") == 200) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException(name + " not ready after " + timeout + "; log:\n" + logTail());
    }

    /** The status of a GET, or -1 when nothing answers. */
    public int status(String path) {
        try {
            HttpRequest req = HttpRequest.newBuilder(url().resolve(path)).timeout(Duration.ofSeconds(2)).build();
            return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (ConnectException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns the exit code. */
    public int stop(Duration grace) {
        if (process == null) {
            return -1;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    /** SIGKILL (kill -9), and wait for the process to be gone. Returns the exit code (137). */
    public int kill9() {
        process.destroyForcibly();
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The last lines of this daemon's log. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public List<String> logLines() {
        try {
            return new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
