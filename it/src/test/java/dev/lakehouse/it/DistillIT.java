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
        java.util.concurrent.atomic.AtomicReference<java.util.function.Function<JsonNode, String>> replaying =
                new java.util.concurrent.atomic.AtomicReference<>();
        Path roster = Stack.generateRoster(2000);
        try (ScriptedOllama ollama = new ScriptedOllama(body -> replaying.get() != null ? replaying.get().apply(body)
                : script.isEmpty() ? "Night shift 3 suits you." : script.poll());
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

            JsonNode done = fullRun(gw);
            String id = done.path("id").asText();
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

            // today's provider staffs with a phantom worker: the audit's replay (real chatd, real validatord) finds the
            // regression of the fill, flags it for review, and phases 0-6 pass
            replaying.set(body -> body.toString().contains("You staff orders") ? "{\"worker_ids\":[\"W999999\"]}" : "Night shift 3 suits you.");
            String audit = json(send(gw, "POST", "/v1/distill/audits", "{\"run\":\"" + id + "\",\"replay_sample\":10}")).path("id").asText();
            JsonNode report = awaitJob(gw, "audits", audit).path("result");
            System.out.println("audit: " + report);
            for (int p = 0; p <= 6; p++) {
                assertThat(report.path("phases").get(p).path("status").asText()).as(report.path("phases").get(p).toString()).isEqualTo("pass");
            }
            JsonNode replay = report.path("phases").get(7);
            assertThat(replay.path("status").asText()).isEqualTo("fail");
            assertThat(replay.path("details").path("regressions_by_class").toString()).isEqualTo("{\"fill_generation\":1}");
            assertThat(replay.path("details").path("errors").asLong()).isZero();
            assertThat(replay.path("details").path("flagged_for_review")).hasSize(1);
            assertThat(replay.path("details").path("by_diff").path("same").asLong()).as("the chat answers did not change").isPositive();

            // a replay killed -9 half-way resumes after the restart without replaying anything twice
            replaying.set(body -> {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return body.toString().contains("You staff orders") ? "{\"worker_ids\":[\"W000010\"]}" : "Night shift 3 suits you.";
            });
            String rid = json(send(gw, "POST", "/v1/distill/replays", "{\"run\":\"" + id + "\",\"concurrency\":1,\"rate\":0}"))
                    .path("id").asText();
            Path log = dir.resolve("replays").resolve(rid).resolve("replay_runs.jsonl");
            for (int i = 0; i < 200 && (!Files.exists(log) || Files.readAllLines(log).isEmpty()); i++) {
                Thread.sleep(50);
            }
            stack.daemon("distilld").kill9();
            long written = Files.readAllLines(log).size();
            assertThat(written).as("killed half-way").isPositive();
            stack.daemon("distilld").start(Stack.READY_TIMEOUT);
            JsonNode stopped = json(send(gw, "GET", "/v1/distill/replays/" + rid, null));
            assertThat(stopped.path("state").asText()).as(stopped.toString()).isEqualTo("stopped");
            assertThat(send(gw, "POST", "/v1/distill/replays/" + rid + "/resume", null).statusCode()).isEqualTo(202);
            JsonNode finished = awaitJob(gw, "replays", rid).path("result");
            List<String> items = Files.readAllLines(log);
            assertThat(items).hasSize(finished.path("selected").asInt());
            assertThat(items.stream().map(l -> l.replaceAll(".*\"evidence_id\":\"([0-9a-f]+)\".*", "$1")).distinct().count())
                    .isEqualTo(items.size());
            assertThat(finished.path("by_diff").path("error").asLong()).isZero();
        }
    }

    /** A full distill run through the gateway, followed to its end: the finished run (state done, checked). */
    static JsonNode fullRun(URI gw) throws Exception {
        String id = json(send(gw, "POST", "/v1/distill/runs", "{\"full\":true}")).path("id").asText();
        JsonNode done = null;
        for (int i = 0; i < 300; i++) {
            done = json(send(gw, "GET", "/v1/distill/runs/" + id, null));
            if (!"running".equals(done.path("state").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
        return done;
    }

    static JsonNode awaitJob(URI gw, String kind, String id) throws Exception {
        JsonNode r = null;
        for (int i = 0; i < 600; i++) {
            r = json(send(gw, "GET", "/v1/distill/" + kind + "/" + id, null));
            if (!"running".equals(r.path("state").asText())) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(kind + " " + id + " did not finish: " + r);
    }
}
