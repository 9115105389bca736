package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.ScriptedOllama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 34's "done when": all eleven daemons as processes; two workers' data go in through every route that takes
 * them (chat, iterate, validate, memory, claims, matrix ingest into vectord, a distill run); one is erased through the
 * gateway. The job's verification scan and a plain grep of every data directory find nothing of her, and every line
 * of the other worker's data is byte for byte still there, as are his memory, claims, documents and roster row.
 */
class ErasureIT {
    static ScriptedOllama ollama;
    static Stack stack;
    static URI gw;

    @BeforeAll
    static void start() throws Exception {
        ollama = new ScriptedOllama(body -> body.toString().contains("O-A") ? "{\"worker_ids\":[\"W000010\"]}" : "Noted, I will pass it on.");
        Path roster = Stack.generateRoster(2000);
        stack = Stack.builder()
                .daemon(DaemonId.OBSERVERD)
                .daemon(DaemonId.JOURNALD)
                .daemon(DaemonId.EMBEDD, Map.of("EMBEDD_OLLAMA_URL", "off"))
                .daemon(DaemonId.VECTORD)
                .daemon(DaemonId.PATHWAYD)
                .daemon(DaemonId.TRUTHD)
                .daemon(DaemonId.MATRIXD, Map.of("MATRIXD_ROLE_LLM", "false"))
                .daemon(DaemonId.CHATD, Map.of("CHATD_OLLAMA_URL", "http://127.0.0.1:" + ollama.port(), "CHATD_DEFAULT_MODEL", "qwen2.5:7b"))
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                .daemon(DaemonId.DISTILLD)
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

    static JsonNode ok(String method, String path, String body, int... status) throws Exception {
        HttpResponse<String> r = send(gw, method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isIn(java.util.Arrays.stream(status).boxed().toList());
        return json(r);
    }

    /** A worker's data, through every route that takes it. */
    static void seed(JsonNode w, String tag, String vectord) throws Exception {
        String id = w.path("worker_id").asText();
        String name = w.path("first_name").asText() + " " + w.path("last_name").asText();
        String phone = w.path("phone").asText();
        String email = w.path("email").asText();
        ok("POST", "/v1/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"Please call " + name + " (" + id + ") at " + phone
                + " or write to " + email + " about the " + tag + " shift\"}]}", 200);
        ok("POST", "/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"" + id + "\",\"subject\":\"Shift " + tag
                + "\",\"body\":\"Hi " + name + ", your shift is Monday. Call us back from " + phone + ".\"}}", 200);
        ok("POST", "/v1/memory", "{\"text\":\"" + name + " prefers " + tag + " shifts; reach at " + phone + "\",\"user\":\"" + id + "\"}", 201);
        ok("POST", "/v1/truth/claims", "{\"claims\":[{\"subject\":\"worker:" + id + "\",\"field\":\"phone\",\"value\":\"" + phone
                + "\",\"source\":\"crm\",\"observed_at\":\"2026-11-01T00:00:00Z\"},{\"subject\":\"worker:" + id + "\",\"field\":\"email\","
                + "\"value\":\"" + email + "\",\"source\":\"crm\",\"observed_at\":\"2026-11-01T00:00:00Z\"}]}", 201);
        JsonNode job = ok("POST", "/v1/matrix/corpora/notes/documents", "{\"documents\":[{\"id\":\"note-" + tag + "\",\"text\":\""
                + "Recruiter note: " + name + " (" + id + ") asked for " + tag + " forklift work. Certified reach truck operator, "
                + "five years in Columbus warehouses. Phone " + phone + ".\",\"metadata\":{\"state\":\"OH\"}}]}", 202);
        awaitJob("/v1/matrix/jobs/" + job.path("job_id").asText(), "done");
    }

    static void awaitEvents(String kind, int atLeast) throws Exception {
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> r = send(gw, "GET", "/v1/observe/events?kind=" + kind + "&limit=100", null);   // one event a line
            if (r.statusCode() == 200 && r.body().lines().filter(l -> !l.isBlank()).count() >= atLeast) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("observerd never had " + atLeast + " " + kind + " events");
    }

    static JsonNode awaitJob(String path, String... states) throws Exception {
        JsonNode j = null;
        for (int i = 0; i < 1200; i++) {
            j = json(send(gw, "GET", path, null));
            if (List.of(states).contains(j.path("state").asText())) {
                return j;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " never reached " + List.of(states) + ": " + j);
    }

    @Test
    void aWorkerErasedEverywhere_leavesNothing_andTheOtherWorkersDataIsByteIdentical() throws Exception {
        JsonNode a = ok("GET", "/v1/roster/workers/W000010", null, 200);
        JsonNode b = null;
        for (int n = 11; b == null; n++) {   // someone whose name is not hers (the synthetic roster repeats names)
            JsonNode c = ok("GET", String.format("/v1/roster/workers/W%06d", n), null, 200);
            if (!c.path("last_name").asText().equals(a.path("last_name").asText())) {
                b = c;
            }
        }
        String vectord = stack.url("vectord").toString();
        ok("PUT", "/v1/indexes/notes", "{\"dims\":384,\"metric\":\"cosine\"}", 201);
        ok("PUT", "/v1/matrix/corpora/notes", "{\"index\":\"notes\",\"vectord_url\":\"" + vectord + "\"}", 201);
        seed(a, "night", vectord);
        seed(b, "day", vectord);
        JsonNode it = ok("POST", "/v1/iterate", "{\"kind\":\"fill\",\"instruction\":\"Staff order O-A\",\"context\":{\"order\":{\"order_id\":\"O-A\","
                + "\"role\":\"" + a.path("role").asText() + "\",\"lat\":" + a.path("lat").asDouble() + ",\"lon\":" + a.path("lon").asDouble()
                + ",\"radius_miles\":10,\"headcount\":1}},\"max_attempts\":2}", 200);
        assertThat(it.path("valid").asBoolean()).as(it.toString()).isTrue();
        awaitEvents("chat.call", 2);   // the daemons' observers send in batches: the run must read them
        awaitEvents("iterate.attempt", 1);
        JsonNode run = ok("POST", "/v1/distill/runs", "{\"full\":true}", 202);
        assertThat(awaitJob("/v1/distill/runs/" + run.path("id").asText(), "done", "failed").path("state").asText()).isEqualTo("done");

        List<String> her = identifiers(a);
        List<String> his = identifiers(b);
        Path data = stack.dataRoot();
        assertThat(dev.lakehouse.common.testing.DataGrep.files(data, her)).as("she is in the data before").isNotEmpty();
        Map<String, Integer> hisLines = lines(data, his, her);
        assertThat(hisLines).as("his data, to compare").isNotEmpty();
        Map<String, String> hisApi = api(b);

        HttpResponse<String> r = send(gw, "POST", "/v1/privacy/erasures", "{\"subject\":\"worker:W000010\",\"reason\":\"Art. 17 request\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode job = awaitJob("/v1/privacy/erasures/" + json(r).path("id").asText(), "done", "failed");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(job.path("proof").path("clean").asBoolean()).as(job.toString()).isTrue();
        assertThat(job.path("proof").path("found").asLong()).isPositive();
        assertThat(job.path("proof").path("files_scanned").asLong()).isPositive();
        for (String d : List.of("vectord", "pathwayd", "truthd", "observerd", "distilld", "validatord")) {
            assertThat(job.path("steps").path(d).path("state").asText()).as(d).isEqualTo("done");
        }

        assertThat(dev.lakehouse.common.testing.DataGrep.files(data, her)).as("a plain grep of every data directory").isEmpty();
        assertThat(send(gw, "GET", "/v1/roster/workers/W000010", null).statusCode()).isEqualTo(404);
        Map<String, Integer> after = lines(data, his, her);
        hisLines.forEach((line, n) -> assertThat(after.getOrDefault(line, 0)).as("still there, byte for byte: " + line).isGreaterThanOrEqualTo(n));
        assertThat(api(b)).isEqualTo(hisApi);
        assertThat(ok("GET", "/v1/journal/verify", null, 200).toString()).contains("\"ok\":true");
    }

    /** Her id, phone (as written and as digits), e-mail and name. */
    static List<String> identifiers(JsonNode w) {
        String phone = w.path("phone").asText();
        return List.of(w.path("worker_id").asText(), phone, phone.replaceAll("[^0-9]", ""), w.path("email").asText(),
                w.path("first_name").asText() + " " + w.path("last_name").asText());
    }

    /** What the API gives for him: memory, claims, the document's chunk, roster row. */
    static Map<String, String> api(JsonNode w) throws Exception {
        String id = w.path("worker_id").asText();
        Map<String, String> out = new HashMap<>();
        out.put("memory", ok("GET", "/v1/memory?user=" + id, null, 200).path("memories").toString());
        out.put("claims", ok("GET", "/v1/truth/subjects/worker:" + id, null, 200).path("fields").toString());
        out.put("chunk", ok("GET", "/v1/indexes/notes/points/note-day~0", null, 200).toString());
        out.put("roster", ok("GET", "/v1/roster/workers/" + id, null, 200).toString());
        return out;
    }

    /** Lines of the text files under {@code root} that name him and not her, counted. */
    static Map<String, Integer> lines(Path root, List<String> his, List<String> her) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (Path f : files(root)) {
            byte[] bytes = Files.readAllBytes(f);
            if (java.util.stream.IntStream.range(0, Math.min(bytes.length, 8192)).anyMatch(i -> bytes[i] == 0)) {
                continue;   // binary: a snapshot, a graph, a WAL
            }
            for (String l : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (his.stream().anyMatch(l::contains) && her.stream().noneMatch(l::contains)) {
                    out.merge(l, 1, Integer::sum);
                }
            }
        }
        return out;
    }

    static List<Path> files(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
