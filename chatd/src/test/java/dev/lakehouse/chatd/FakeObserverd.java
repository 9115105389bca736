package dev.lakehouse.chatd;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;

/** observerd's {@code POST /v1/observe/events}, keeping what it is sent. */
final class FakeObserverd implements AutoCloseable {
    final List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
    private final DaemonServer server;

    FakeObserverd() {
        server = DaemonServer.builder("fakeobserverd", EnvConfig.of(Map.of("LAKEHOUSE_FAKEOBSERVERD_PORT", "0")), 0)
                .embedded()
                .routing(r -> r.post("/v1/observe/events", (req, res) -> {
                    JsonNode body = Json.mapper().readTree(req.content().inputStream());
                    body.path("events").forEach(events::add);
                    Json.send(res, 202, Map.of("accepted", body.path("events").size(), "duplicates", 0));
                }))
                .start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    List<JsonNode> snapshot() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
