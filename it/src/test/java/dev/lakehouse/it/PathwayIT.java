package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.BusyWriters;
import dev.lakehouse.it.kit.ScriptedOllama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pathwayd as a process with the real embedd (local model), vectord, matrixd, validatord,
 * chatd (on a scripted Ollama) and the gateway: memories written, versioned and searched
 * through the gateway; a valid fill from /v1/iterate becomes a playbook that matrixd serves
 * from pathwayd's index through the role gate; pathwayd killed with -9 while writers are
 * busy keeps every acknowledged write.
 */
class PathwayIT {
    static ScriptedOllama ollama;
    static Stack stack;
    static URI gw;

    @BeforeAll
    static void start() throws Exception {
        ollama = new ScriptedOllama(body -> "{\"worker_ids\":[\"W000010\"]}");
        Path roster = Stack.generateRoster(2000);
        stack = Stack.builder()
                .daemon(DaemonId.EMBEDD, Map.of("EMBEDD_OLLAMA_URL", "off"))
                .daemon(DaemonId.VECTORD)
                .daemon(DaemonId.PATHWAYD)
                .daemon(DaemonId.MATRIXD, Map.of("MATRIXD_ROLE_LLM", "false"))
                .daemon(DaemonId.CHATD, Map.of("CHATD_OLLAMA_URL", "http://127.0.0.1:" + ollama.port(), "CHATD_DEFAULT_MODEL", "qwen2.5:7b"))
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                .daemon(DaemonId.GATEWAY)
                .start();
        gw = stack.url("gateway");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (ollama != null) {
            ollama.close();
        }
    }

    static JsonNode ok(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = send(gw, method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        return json(r);
    }

    @Test
    void memories_throughTheGateway_versionedAndSearchedWithTheLocalModel() throws Exception {
        String id = ok("POST", "/v1/memory", "{\"text\":\"Maria prefers early morning warehouse shifts\",\"user\":\"W000777\"}", 201)
                .path("memory").path("id").asText();
        JsonNode v2 = ok("PUT", "/v1/memory/" + id, "{\"text\":\"Maria prefers evening warehouse shifts now\"}", 200).path("memory");
        assertThat(v2.path("version").asInt()).isEqualTo(2);
        String before = ok("GET", "/v1/memory/" + id + "/history", null, 200).path("versions").get(0).path("recorded_at").asText();
        assertThat(ok("GET", "/v1/memory/" + id + "?as_of=" + before, null, 200).path("text").asText()).contains("early morning");
        ok("POST", "/v1/memory", "{\"text\":\"The Dayton client pays weekly on Fridays\",\"user\":\"W000777\"}", 201);
        JsonNode hits = ok("POST", "/v1/memory/search", "{\"query\":\"when does Maria like to work?\",\"k\":2,"
                + "\"filter\":{\"user\":\"W000777\"}}", 200).path("hits");
        assertThat(hits.get(0).path("id").asText()).isEqualTo(id);
        assertThat(hits.get(0).path("memory").path("text").asText()).contains("evening");
        HttpResponse<String> bad = send(gw, "POST", "/v1/memory/search", "{\"query\":\"q\",\"as_of\":\"last week\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("code").asText()).isEqualTo("invalid_time");
        assertThat(json(bad).path("daemon").asText()).isEqualTo("pathwayd");
    }

    @Test
    void aValidFill_becomesAPlaybook_thatMatrixdServesOnlyToItsRole() throws Exception {
        JsonNode worker = json(send(stack.url("validatord"), "GET", "/v1/roster/workers/W000010", null));
        String role = worker.path("role").asText();
        String order = "{\"order_id\":\"O-77\",\"role\":\"" + role + "\",\"city\":\"" + worker.path("city").asText() + "\",\"state\":\""
                + worker.path("state").asText() + "\",\"lat\":" + worker.path("lat").asDouble() + ",\"lon\":"
                + worker.path("lon").asDouble() + ",\"radius_miles\":10,\"headcount\":1}";
        JsonNode it = ok("POST", "/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"Staff order O-77\",\"context\":{\"order\":"
                + order + "},\"max_attempts\":1}", 200);
        assertThat(it.path("valid").asBoolean()).as(it.toString()).isTrue();
        String playbook = "playbook-" + it.path("iteration_id").asText();
        JsonNode recorded = null;
        for (int i = 0; i < 200 && recorded == null; i++) {
            HttpResponse<String> r = send(gw, "GET", "/v1/memory/" + playbook, null);
            recorded = r.statusCode() == 200 ? json(r) : null;
            Thread.sleep(recorded == null ? 50 : 0);
        }
        assertThat(recorded).as("validatord recorded the playbook in pathwayd").isNotNull();
        assertThat(recorded.path("kind").asText()).isEqualTo("playbook");
        assertThat(recorded.path("playbook").path("workers").get(0).asText()).isEqualTo("W000010");

        assertThat(send(gw, "PUT", "/v1/matrix/corpora/playbooks", "{\"index\":\"memories\",\"vectord_url\":\""
                + stack.url("vectord") + "\",\"gate\":\"role\",\"filter\":{\"kind\":\"playbook\"}}").statusCode()).isEqualTo(201);
        JsonNode mine = ok("POST", "/v1/matrix/retrieve", "{\"query\":\"staff an order\",\"corpora\":[\"playbooks\"],\"k\":5,"
                + "\"query_role\":\"" + role + "\"}", 200);
        List<String> docs = new ArrayList<>();
        mine.path("hits").forEach(h -> docs.add(h.path("doc_id").asText()));
        assertThat(docs).contains(playbook);
        String other = role.equals("welder") ? "line cook" : "welder";
        JsonNode theirs = ok("POST", "/v1/matrix/retrieve", "{\"query\":\"staff an order\",\"corpora\":[\"playbooks\"],\"k\":5,"
                + "\"query_role\":\"" + other + "\"}", 200);
        theirs.path("hits").forEach(h -> assertThat(h.path("doc_id").asText()).isNotEqualTo(playbook));
    }

    @Test
    void kill9_whileWritersAreBusy_losesNoAcknowledgedWrite() throws Exception {
        URI pathwayd = stack.url("pathwayd");
        ManagedDaemon daemon = stack.daemon("pathwayd");
        Map<String, String> acknowledged = BusyWriters.killDuring(daemon, 4, 40, (writer, n) -> {
            String text = "writer " + writer + " note " + n + " about forklift certification";
            HttpResponse<String> r = send(pathwayd, "POST", "/v1/memory", "{\"text\":\"" + text + "\",\"scope\":\"kill9\"}");
            return r.statusCode() == 201 ? Map.entry(json(r).path("memory").path("id").asText(), text) : null;
        });
        daemon.start(Stack.READY_TIMEOUT);
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            assertThat(ok("GET", "/v1/memory/" + e.getKey(), null, 200).path("text").asText()).isEqualTo(e.getValue());
        }
        // the indexer resumes from its watermark: every acknowledged write reaches pathwayd's vectord index
        JsonNode answer = null;
        for (int i = 0; i < 300; i++) {
            answer = ok("POST", "/v1/memory/search", "{\"query\":\"forklift certification\",\"filter\":{\"scope\":\"kill9\"}}", 200);
            if (answer.path("pending").asLong() == 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(answer.path("pending").asLong()).isZero();
        assertThat(answer.path("hits")).hasSize(10);
        for (String id : acknowledged.keySet()) {
            assertThat(send(stack.url("vectord"), "GET", "/v1/indexes/memories/points/" + id, null).statusCode()).as(id).isEqualTo(200);
        }
    }
}
