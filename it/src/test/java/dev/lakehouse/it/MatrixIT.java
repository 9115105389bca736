package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Test;

/**
 * matrixd as a process with the real embedd (local model), vectord and the gateway:
 * two corpora registered, documents ingested as a job and retrieved through the
 * gateway with attribution and the role gate; matrixd killed with -9 mid-way keeps
 * every acknowledged registration; embedd killed makes retrieve a 503 naming it
 * while registration reads go on.
 */
class MatrixIT {
    @Test
    void ingestRetrieveThroughTheGateway_survivesKill9_andNamesADeadEmbedd() throws Exception {
        try (Stack stack = Stack.builder()
                .daemon(DaemonId.EMBEDD, Map.of("EMBEDD_OLLAMA_URL", "off"))
                .daemon(DaemonId.VECTORD)
                .daemon(DaemonId.MATRIXD, Map.of("MATRIXD_ROLE_LLM", "false"))
                .daemon(DaemonId.GATEWAY)
                .start()) {
            URI gw = stack.url("gateway");
            String vectord = stack.url("vectord").toString();
            for (String index : new String[] {"jobs", "playbooks"}) {
                assertThat(send(stack.url("vectord"), "PUT", "/v1/indexes/" + index, "{\"dims\":384,\"metric\":\"cosine\"}")
                        .statusCode()).isEqualTo(201);
            }
            assertThat(send(gw, "PUT", "/v1/matrix/corpora/jobs", "{\"index\":\"jobs\",\"vectord_url\":\"" + vectord + "\"}")
                    .statusCode()).isEqualTo(201);
            assertThat(send(gw, "PUT", "/v1/matrix/corpora/playbooks", "{\"index\":\"playbooks\",\"vectord_url\":\"" + vectord
                    + "\",\"gate\":\"role\"}").statusCode()).isEqualTo(201);

            HttpResponse<String> jobs = send(gw, "POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":["
                    + "{\"id\":\"job-1\",\"text\":\"Forklift operator, night shift, Columbus warehouse. Reach truck experience.\","
                    + "\"metadata\":{\"state\":\"OH\"}},"
                    + "{\"id\":\"job-2\",\"text\":\"Line cook for a downtown brunch restaurant, weekends.\",\"metadata\":{\"state\":\"OH\"}}]}");
            assertThat(jobs.statusCode()).as(jobs.body()).isEqualTo(202);
            HttpResponse<String> pbs = send(gw, "POST", "/v1/matrix/corpora/playbooks/documents", "{\"documents\":["
                    + "{\"id\":\"pb-fork\",\"text\":\"Filled a night forklift order with two certified operators.\","
                    + "\"metadata\":{\"role\":\"forklift operator\"}},"
                    + "{\"id\":\"pb-weld\",\"text\":\"Filled a night forklift order... with welders.\",\"metadata\":{\"role\":\"welder\"}}]}");
            awaitDone(gw, json(jobs).path("job_id").asText());
            awaitDone(gw, json(pbs).path("job_id").asText());

            JsonNode r = json(send(gw, "POST", "/v1/matrix/retrieve",
                    "{\"query\":\"night forklift operator\",\"corpora\":[\"jobs\",\"playbooks\"],\"k\":3}"));
            assertThat(r.path("query_role").asText()).isEqualTo("forklift operator");
            assertThat(r.path("role_source").asText()).isEqualTo("dictionary");
            assertThat(r.path("hits").findValuesAsText("doc_id")).contains("job-1", "pb-fork").doesNotContain("pb-weld");
            JsonNode top = r.path("hits").get(0);
            assertThat(top.path("shard").asText()).isEqualTo(vectord);
            assertThat(top.path("payload").path("text").asText()).isNotBlank();

            // a big job, and matrixd killed with -9 right after its 202: the job id answers after the restart and the job finishes
            StringBuilder docs = new StringBuilder("{\"documents\":[");
            for (int i = 0; i < 300; i++) {
                docs.append(i == 0 ? "" : ",").append("{\"id\":\"bulk-").append(i).append("\",\"text\":\"Warehouse posting ").append(i)
                        .append(": pickers and packers wanted for the ").append(i % 2 == 0 ? "night" : "day").append(" shift.\"}");
            }
            HttpResponse<String> bulk = send(gw, "POST", "/v1/matrix/corpora/jobs/documents", docs.append("]}").toString());
            assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(202);
            String bulkJob = json(bulk).path("job_id").asText();
            ManagedDaemon matrixd = stack.daemon("matrixd");
            assertThat(matrixd.kill9()).isEqualTo(137);
            matrixd.start(Stack.READY_TIMEOUT);
            awaitDone(gw, bulkJob);
            assertThat(json(send(stack.url("vectord"), "GET", "/v1/indexes/jobs", null)).path("count").asInt())
                    .as("every document of the job, once: 2 + 300 one-chunk documents").isEqualTo(302);
            JsonNode corpora = json(send(gw, "GET", "/v1/matrix/corpora", null));
            assertThat(corpora.path("corpora").findValuesAsText("name")).containsExactly("jobs", "playbooks");
            assertThat(json(send(gw, "POST", "/v1/matrix/retrieve", "{\"query\":\"brunch cook\",\"corpora\":[\"jobs\"],\"k\":1}"))
                    .path("hits").get(0).path("doc_id").asText()).isEqualTo("job-2");

            stack.daemon("embedd").kill9();
            HttpResponse<String> down = send(gw, "POST", "/v1/matrix/retrieve", "{\"query\":\"x\",\"corpora\":[\"jobs\"]}");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(json(down).path("code").asText()).isEqualTo("peer_unavailable");
            assertThat(json(down).path("peer").asText()).isEqualTo("embedd");
            assertThat(send(gw, "GET", "/v1/matrix/corpora/jobs", null).statusCode()).isEqualTo(200);
        }
    }

    static void awaitDone(URI gw, String job) throws Exception {
        for (int i = 0; i < 400; i++) {
            JsonNode j = json(send(gw, "GET", "/v1/matrix/jobs/" + job, null));
            if (j.path("state").asText().equals("done")) {
                assertThat(j.path("failures").asInt()).as(j.toString()).isZero();
                return;
            }
            assertThat(j.path("state").asText()).as(j.toString()).isIn("queued", "running");
            Thread.sleep(50);
        }
        throw new AssertionError("job " + job + " did not finish");
    }
}
