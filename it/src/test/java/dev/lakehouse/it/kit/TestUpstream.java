package dev.lakehouse.it.kit;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import io.helidon.http.HeaderNames;

/**
 * A test-only upstream for the gateway's tests, started under a daemon's name
 * (e.g. as chatd, so /v1/chat routes to it):
 * <pre>
 * GET  /v1/chat/stream    SSE: "one", then waits for /release (10 s at most), then "two"
 * POST /v1/chat/release   lets the stream finish
 * GET  /v1/chat/state     {"stream":"holding|released|idle"}
 * GET  /v1/chat/hang      never answers (60 s)
 * POST /v1/chat/echo      201 with the method, path, query, headers and body it received, and X-Upstream: yes
 * POST /v1/chat/count     {"bytes":n}: the size of the body it read
 * GET  /v1/chat/big?kb=n  n KiB of 'x'
 * GET  /v1/chat/received  {"requests":n}: requests received so far
 * </pre>
 */
public final class TestUpstream {
    private TestUpstream() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        String name = env.string("TEST_UPSTREAM_NAME", "chatd");
        AtomicReference<CountDownLatch> release = new AtomicReference<>(new CountDownLatch(1));
        AtomicReference<String> state = new AtomicReference<>("idle");
        AtomicInteger received = new AtomicInteger();
        DaemonServer.builder(name, env, 0)
                .maxBodyBytes(64L << 20)
                .routing(r -> r
                        .any("/v1/chat/*", (req, res) -> {
                            if (!req.path().rawPath().endsWith("/received")) {
                                received.incrementAndGet();
                            }
                            res.next();
                        })
                        .get("/v1/chat/stream", (req, res) -> {
                            CountDownLatch latch = new CountDownLatch(1);
                            release.set(latch);
                            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                            try (OutputStream out = res.outputStream()) {
                                out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
                                out.flush();
                                state.set("holding");
                                latch.await(10, TimeUnit.SECONDS);
                                state.set("released");
                                out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
                            }
                        })
                        .post("/v1/chat/release", (req, res) -> {
                            release.get().countDown();
                            Json.send(res, 200, Map.of("released", true));
                        })
                        .get("/v1/chat/state", (req, res) -> Json.send(res, 200, Map.of("stream", state.get())))
                        .get("/v1/chat/hang", (req, res) -> {
                            Thread.sleep(60_000);
                            res.send("late");
                        })
                        .post("/v1/chat/echo", (req, res) -> {
                            Map<String, Object> seen = new LinkedHashMap<>();
                            seen.put("method", req.prologue().method().text());
                            seen.put("path", req.prologue().uriPath().rawPath());
                            seen.put("query", req.query().rawValue());
                            Map<String, String> headers = new LinkedHashMap<>();
                            req.headers().forEach(h -> headers.put(h.name().toLowerCase(), h.values()));
                            seen.put("headers", headers);
                            seen.put("body", req.content().as(String.class));
                            res.header(HeaderNames.create("X-Upstream"), "yes");
                            Json.send(res, 201, seen);
                        })
                        .post("/v1/chat/count", (req, res) -> {
                            long n = req.content().inputStream().transferTo(OutputStream.nullOutputStream());
                            Json.send(res, 200, Map.of("bytes", n));
                        })
                        .get("/v1/chat/big", (req, res) -> {
                            int kb = Integer.parseInt(req.query().first("kb").orElse("1024"));
                            byte[] chunk = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
                            try (OutputStream out = res.outputStream()) {
                                for (int i = 0; i < kb; i++) {
                                    out.write(chunk);
                                }
                            }
                        })
                        .get("/v1/chat/received", (req, res) -> Json.send(res, 200, Map.of("requests", received.get()))))
                .start();
    }
}
