package dev.lakehouse.validatord;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

/**
 * chatd's {@code POST /v1/chat} answering from a script of outputs, recording each request; and
 * pathwayd's {@code POST /v1/memory}, recording each playbook, answering 503 to the first
 * {@link #refuseMemories} of them.
 */
final class FakeChatd implements AutoCloseable {
    final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    final List<JsonNode> memories = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger refuseMemories = new java.util.concurrent.atomic.AtomicInteger();
    final Queue<String> outputs = new ConcurrentLinkedQueue<>();
    private final DaemonServer server;

    FakeChatd() {
        server = DaemonServer.builder("fakechatd", EnvConfig.of(Map.of("LAKEHOUSE_FAKECHATD_PORT", "0")), 0)
                .embedded()
                .routing(r -> r.post("/v1/memory", (req, res) -> {
                    memories.add(Json.mapper().readTree(req.content().inputStream()));
                    if (refuseMemories.getAndDecrement() > 0) {
                        res.status(503).header("Content-Type", "application/problem+json").send(
                                "{\"status\":503,\"code\":\"loading\",\"detail\":\"pathwayd is still loading\"}");
                        return;
                    }
                    Json.send(res, 201, Map.of("indexed", true));
                }).post("/v1/chat", (req, res) -> {
                    JsonNode body = Json.mapper().readTree(req.content().inputStream());
                    requests.add(body);
                    String output = outputs.poll();
                    if (output == null) {
                        res.status(502).header("Content-Type", "application/problem+json").send(
                                "{\"status\":502,\"code\":\"all_providers_failed\",\"detail\":\"script exhausted\"}");
                        return;
                    }
                    Json.send(res, 200, Map.of("provider", "ollama", "model", "scripted", "message",
                            Map.of("role", "assistant", "content", output), "finish_reason", "stop", "latency_ms", 1.0,
                            "attempts", List.of()));
                }))
                .start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    void reset() {
        requests.clear();
        outputs.clear();
        memories.clear();
        refuseMemories.set(0);
    }

    @Override
    public void close() {
        server.stop();
    }
}
