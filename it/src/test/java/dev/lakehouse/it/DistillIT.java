package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.ScriptedOllama;
import org.junit.jupiter.api.Test;

/**
 * The distillation pipeline on what the other daemons really observed: a chat, an iterate run that
 * is corrected, and a retrieval followed by the chat call that used it (one request id) go through
 * the gateway; observerd records them; a distill run through the gateway finds the SFT samples, the
 * preference pair and the RAG query they make.
 */
class DistillIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> post(URI base, String path, String body, String requestId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .header("X-Request-Id", requestId).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void chatIterateAndRetrieveThroughTheGateway_becomeSftPreferenceAndRagRecords() throws Exception {
        Queue<String> script = new ConcurrentLinkedQueue<>();
        Path roster = Stack.generateRoster(2000);
        try (ScriptedOllama ollama = new ScriptedOllama(body -> script.isEmpty() ? "Night shift 3 suits you." : script.poll());
             Stack stack = Stack.builder()
                     .daemon(DaemonId.OBSERVERD)
                     .daemon(DaemonId.EMBEDD, Map.of("EMBEDD_OLLAMA_URL", "off"))
                     .daemon(DaemonId.VECTORD)
                     .daemon(DaemonId.MATRIXD, Map.of("MATRIXD_ROLE_LLM", "false"))
                     .daemon(DaemonId.CHATD, Map.of("CHATD_OLLAMA_URL", "http://127.0.0.1:" + ollama.port(), "CHATD_DEFAULT_MODEL", "qwen2.5:7b"))
                     .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString(), "VALIDATORD_PLAYBOOKS", "false"))
                     .daemon(DaemonId.DISTILLD)
                     .daemon(DaemonId.GATEWAY)
                     .start()) {
            URI gw = stack.url("gateway");
            // a chat
            assertThat(post(gw, "/v1/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"Which shift suits me?\"}]}", "it-chat-1")
                    .statusCode()).isEqualTo(200);
            // an iterate run corrected once
            JsonNode worker = json(send(stack.url("validatord"), "GET", "/v1/roster/workers/W000010", null));
            script.add("{\"worker_ids\":[\"W999999\"]}");
            script.add("{\"worker_ids\":[\"W000010\"]}");
            String order = "{\"order_id\":\"O-5\",\"role\":\"" + worker.path("role").asText() + "\",\"lat\":" + worker.path("lat").asDouble()
                    + ",\"lon\":" + worker.path("lon").asDouble() + ",\"radius_miles\":10,\"headcount\":1}";
            JsonNode it = json(post(gw, "/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"Staff order O-5\",\"context\":{\"order\":"
                    + order + "},\"max_attempts\":3}", "it-iterate-1"));
            assertThat(it.path("valid").asBoolean()).as(it.toString()).isTrue();
            assertThat(it.path("attempts")).hasSize(2);
            // a validation
            assertThat(post(gw, "/v1/validate", "{\"kind\":\"fill\",\"fill\":{\"order\":" + order + ",\"worker_ids\":[\"W999999\"]}}",
                    "it-validate-1").statusCode()).isEqualTo(200);
            // a retrieval, and the chat call that used it, under one request id
            String vectord = stack.url("vectord").toString();
            assertThat(send(stack.url("vectord"), "PUT", "/v1/indexes/jobs", "{\"dims\":384,\"metric\":\"cosine\"}").statusCode()).isEqualTo(201);
            assertThat(send(gw, "PUT", "/v1/matrix/corpora/jobs", "{\"index\":\"jobs\",\"vectord_url\":\"" + vectord + "\"}").statusCode())
                    .isEqualTo(201);
            JsonNode job = json(send(gw, "POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":[{\"id\":\"job-1\",\"text\":"
                    + "\"Forklift operator, night shift 3, Columbus warehouse.\"}]}"));
            MatrixIT.awaitDone(gw, job.path("job_id").asText());
            JsonNode hits = json(post(gw, "/v1/matrix/retrieve", "{\"query\":\"night forklift shift\",\"corpora\":[\"jobs\"],\"k\":1}",
                    "it-rag-1"));
            assertThat(hits.path("hits")).hasSize(1);
            assertThat(post(gw, "/v1/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"Passage: "
                    + hits.path("hits").get(0).path("payload").path("text").asText() + " Which shift?\"}]}", "it-rag-1").statusCode())
                    .isEqualTo(200);

            // the observations reach observerd (the observer clients send in the background): 2 chats, 2 attempts,
            // the validations of each attempt are not observed by iterate (it records attempts), 1 retrieve
            for (int i = 0; i < 300; i++) {
                String kinds = json(send(stack.url("observerd"), "GET", "/v1/observe/stats", null)).path("days").toString();
                if (kinds.contains("\"retrieve\"") && kinds.contains("\"iterate.attempt\":2") && kinds.contains("\"validate\"")
                        && kinds.matches(".*\"chat.call\":([4-9]|\\d\\d).*")) {
                    break;
                }
                Thread.sleep(100);
            }

            JsonNode run = json(send(gw, "POST", "/v1/distill/runs", "{\"full\":true}"));
            String id = run.path("id").asText();
            JsonNode done = null;
            for (int i = 0; i < 300; i++) {
                done = json(send(gw, "GET", "/v1/distill/runs/" + id, null));
                if (!"running".equals(done.path("state").asText())) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
            System.out.println("distill run: " + done);
            assertThat(done.path("summary").path("stages").path("materialize").path("conserved").asBoolean()).isTrue();
            Path dir = stack.dataRoot().resolve("distilld/runs").resolve(id);
            List<String> classes = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("sft/trl.jsonl"))) {
                classes.add(Json.mapper().readTree(line).path("metadata").path("class").asText());
            }
            assertThat(classes).containsExactlyInAnyOrder("chat_answer", "fill_generation", "fill_validation", "retrieval_answer");
            for (String line : Files.readAllLines(dir.resolve("sft/trl.jsonl"))) {
                JsonNode sample = Json.mapper().readTree(line);
                JsonNode messages = sample.path("messages");
                if (!"fill_validation".equals(sample.path("metadata").path("class").asText())) {
                    assertThat(messages.get(messages.size() - 1).path("content").asText())
                            .as("the failed attempt's chat call is the iterate run's provenance, never a sample").doesNotContain("W999999");
                }
            }
            List<String> pairs = Files.readAllLines(dir.resolve("preference/trl.jsonl"));
            assertThat(pairs).hasSize(1);
            JsonNode pair = Json.mapper().readTree(pairs.get(0));
            assertThat(pair.path("chosen").get(0).path("content").asText()).contains("W000010");
            assertThat(pair.path("rejected").get(0).path("content").asText()).contains("W999999");
            List<String> queries = Files.readAllLines(dir.resolve("rag/queries.jsonl"));
            assertThat(queries).singleElement().satisfies(q -> assertThat(q).contains("night forklift shift"));
            assertThat(Files.readString(dir.resolve("rag/corpus.jsonl"))).contains("Columbus warehouse");
        }
    }
}
