package dev.lakehouse.embedd;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

/**
 * A local server speaking Ollama's real {@code POST /api/embed}: a batch of inputs
 * in, one vector per input out ({@code {"model","embeddings","total_duration",
 * "load_duration","prompt_eval_count"}}), Ollama's {@code {"error":"…"}} bodies
 * for its failures. Vectors are a fixed function of the text. Modes make it slow
 * or failing; a gate can hold calls to test single-flight.
 */
final class FakeOllama implements AutoCloseable {
    enum Mode { OK, SLOW, FAIL_500, FAIL_503, RATE_LIMITED, GARBAGE }

    final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger callCount = new AtomicInteger();
    volatile Mode mode = Mode.OK;
    volatile int dims = 768;
    volatile CountDownLatch gate;   // when set, calls wait on it
    private final DaemonServer server;

    FakeOllama() {
        server = DaemonServer.builder("fakeollama", EnvConfig.of(Map.of("LAKEHOUSE_FAKEOLLAMA_PORT", "0")), 0)
                .embedded()
                .maxBodyBytes(64L << 20)
                .routing(r -> r.post("/api/embed", (req, res) -> {
                    JsonNode body = Json.mapper().readTree(req.content().inputStream());
                    String model = body.path("model").asText();
                    List<String> input = new ArrayList<>();
                    if (body.path("input").isTextual()) {
                        input.add(body.path("input").asText());
                    } else {
                        body.path("input").forEach(n -> input.add(n.asText()));
                    }
                    callCount.incrementAndGet();
                    calls.add(input);
                    CountDownLatch g = gate;
                    if (g != null) {
                        g.await(10, TimeUnit.SECONDS);
                    }
                    switch (mode) {
                        case SLOW -> Thread.sleep(3_000);
                        case FAIL_500 -> {
                            error(res, 500, "llama runner process has terminated: signal: killed");
                            return;
                        }
                        case FAIL_503 -> {
                            error(res, 503, "server busy, please try again.  maximum pending requests exceeded");
                            return;
                        }
                        case RATE_LIMITED -> {
                            error(res, 429, "too many requests");
                            return;
                        }
                        case GARBAGE -> {
                            res.status(200).send("{\"model\":\"x\",\"embeddings\":[[1,2]");
                            return;
                        }
                        default -> {
                        }
                    }
                    if (model.equals("missing")) {
                        error(res, 404, "model \"missing\" not found, try pulling it first");
                        return;
                    }
                    if (model.equals("llama3")) {
                        error(res, 400, "\"llama3\" does not support embeddings");
                        return;
                    }
                    List<float[]> vectors = new ArrayList<>();
                    for (String text : input) {
                        vectors.add(vector(text, dims));
                    }
                    Json.send(res, 200, Map.of("model", model, "embeddings", vectors, "total_duration", 14_143_917,
                            "load_duration", 1_019_500, "prompt_eval_count", input.size() * 4));
                }))
                .start();
    }

    private static void error(io.helidon.webserver.http.ServerResponse res, int status, String message) {
        Json.send(res, status, Map.of("error", message));
    }

    /** A unit vector that depends only on the text. */
    static float[] vector(String text, int dims) {
        float[] v = new float[dims];
        java.util.Random random = new java.util.Random(text.hashCode());
        double norm = 0;
        for (int i = 0; i < dims; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < dims; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    void reset() {
        mode = Mode.OK;
        gate = null;
        calls.clear();
        callCount.set(0);
    }

    @Override
    public void close() {
        server.stop();
    }
}
