package dev.lakehouse.embedd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** embedd in-process with the real local model and a fake Ollama: the API, every bad input, and OpenAI's own SDK as a client. */
class EmbeddServerTest {
    @TempDir
    static Path dataDir;
    static FakeOllama ollama;
    static DaemonServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ollama = new FakeOllama();
        EmbeddConfig config = new EmbeddConfig(LocalProvider.MODEL, Optional.of(ollama.url()), Duration.ofSeconds(5), true, 2, 16,
                64L << 20, Duration.ZERO, 256, 32_768);
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_EMBEDD_PORT", "0", "LAKEHOUSE_DATA_DIR", dataDir.toString()));
        server = EmbeddMain.builder(config, env).embedded().start();   // the daemon's own wiring and body limit
    }

    @AfterAll
    static void stop() {
        server.stop();
        ollama.close();
    }

    static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** Large uploads ask with Expect: 100-continue (TestHttp), as curl does, so the 413 arrives before the body is sent. */
    static HttpResponse<String> post(String path, String body) throws Exception {
        return new TestHttp(server::port).post(path, body);
    }

    static JsonNode embed(String body) throws Exception {
        HttpResponse<String> r = post("/v1/embed", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    static double[] vec(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    @org.junit.jupiter.api.Test
    void anErasure_dropsTheCachedTextsNamingAPerson_andNoOthers() throws Exception {
        String hers = "{\"input\":[\"Mia Holt called from 614-555-0144\",\"mia.holt@example.com wants nights\"]}";
        String other = "{\"input\":[\"Noel Park called from 614-555-0145\"]}";
        embed(hers);
        embed(other);
        assertThat(embed(hers).path("cache_hits").asInt()).isEqualTo(2);
        HttpResponse<String> r = post("/v1/embed/erasures", "{\"erasure_id\":\"er-1\",\"identifiers\":[\"614-555-0144\","
                + "\"Mia.Holt@example.com\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body()).path("cache_entries_removed").asInt()).isEqualTo(2);
        assertThat(r.body()).doesNotContain("0144").doesNotContainIgnoringCase("mia");
        assertThat(embed(hers).path("cache_hits").asInt()).as("embedded again, not served from the cache").isZero();
        assertThat(embed(other).path("cache_hits").asInt()).isEqualTo(1);
        dev.lakehouse.common.testing.TestHttp.assertProblem(post("/v1/embed/erasures",
                "{\"erasure_id\":\"er-2\",\"identifiers\":[\"Mia\"]}"), 400, "invalid_field", "identifiers[0]");
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void localModel_384dims_unitNorm_similarSentencesCloser() throws Exception {
        JsonNode r = embed("{\"input\":[\"The forklift operator moved pallets in the warehouse.\","
                + "\"A warehouse worker drove a forklift to shift pallets.\",\"The recipe needs two cups of flour and an egg.\"]}");
        assertThat(r.path("model").asText()).isEqualTo("all-minilm-l6-v2");
        assertThat(r.path("provider").asText()).isEqualTo("local");
        assertThat(r.path("dims").asInt()).isEqualTo(384);
        double[] a = vec(r.path("embeddings").get(0));
        double[] b = vec(r.path("embeddings").get(1));
        double[] c = vec(r.path("embeddings").get(2));
        assertThat(a).hasSize(384);
        assertThat(dot(a, a)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(dot(a, b)).as("similar sentences").isGreaterThan(dot(a, c) + 0.2);
    }

    @Test
    void cacheHits_areReported() throws Exception {
        embed("{\"model\":\"nomic-embed-text\",\"input\":[\"hit me\"]}");
        JsonNode again = embed("{\"model\":\"nomic-embed-text\",\"input\":[\"hit me\",\"new one\"]}");
        assertThat(again.path("cache_hits").asInt()).isEqualTo(1);
        assertThat(again.path("provider").asText()).isEqualTo("ollama");
        assertThat(again.path("dims").asInt()).isEqualTo(768);
    }

    @Test
    void models_listsLocalAndSeenOllamaModels() throws Exception {
        embed("{\"model\":\"nomic-embed-text\",\"input\":\"x\"}");
        JsonNode models = Json.mapper().readTree(HTTP.send(HttpRequest.newBuilder(url("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(models.path("object").asText()).isEqualTo("list");
        assertThat(models.path("data").findValuesAsText("id")).contains("all-minilm-l6-v2", "nomic-embed-text");
        assertThat(models.path("data").findValuesAsText("owned_by")).contains("local", "ollama");
    }

    static Stream<Arguments> badInputs() {
        StringBuilder many = new StringBuilder("{\"input\":[");
        for (int i = 0; i < 257; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        many.append("]}");
        return Stream.of(
                Arguments.of("{}", 400, "missing_field", "input"),
                Arguments.of("{\"input\":null}", 400, "missing_field", "input"),
                Arguments.of("{\"input\":\"\"}", 400, "invalid_field", "input: is empty"),
                Arguments.of("{\"input\":[]}", 400, "invalid_field", "empty array"),
                Arguments.of("null", 400, "invalid_json", "the body is null"),
                Arguments.of("{\"input\":\"\\u0000\"}", 400, "invalid_field", "input: has nothing to embed"),
                Arguments.of("{\"input\":[\"ok\",\" \\t\\r\\n\\u00a0\"]}", 400, "invalid_field", "input[1]: has nothing to embed"),
                Arguments.of("{\"input\":[\"ok\",\"\\u200b\\u0301\\u0007\"]}", 400, "invalid_field", "input[1]: has nothing to embed"),
                Arguments.of("{\"input\":[\"ok\",\"a\\ud800b\"]}", 400, "invalid_field", "input[1]: has an unpaired surrogate"),
                Arguments.of("{\"input\":[\"ok\",null]}", 400, "invalid_field", "input[1]: must be a string, got null"),
                Arguments.of("{\"input\":[\"ok\",\"\"]}", 400, "invalid_field", "input[1]: is empty"),
                Arguments.of("{\"input\":[\"ok\",3]}", 400, "invalid_field", "input[1]: must be a string, got a number"),
                Arguments.of("{\"input\":[\"ok\",{\"a\":1}]}", 400, "invalid_field", "input[1]"),
                Arguments.of("{\"input\":42}", 400, "invalid_field", "input: must be a string or an array"),
                Arguments.of(many.toString(), 400, "too_many_inputs", "257"),
                Arguments.of("{\"input\":[\"a\",\"" + "x".repeat(32_769) + "\"]}", 400, "input_too_long", "input[1]"),
                Arguments.of("{\"model\":\"missing\",\"input\":\"x\"}", 404, "unknown_model", "missing"),
                Arguments.of("{\"model\":7,\"input\":\"x\"}", 400, "invalid_field", "model"),
                Arguments.of("{\"model\":[\"a\"],\"input\":\"x\"}", 400, "invalid_field", "model"),
                Arguments.of("not json at all", 400, "invalid_json", "malformed"),
                Arguments.of("{\"input\":\"x\",\"inputs\":\"y\"}", 400, "unknown_field", "inputs"),
                Arguments.of("{\"input\":\"" + "y".repeat(20 << 20) + "\"}", 413, "payload_too_large", "limit"));
    }

    @ParameterizedTest(name = "[{index}] -> {1} {2}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String body, int status, String code, String detail) throws Exception {
        JsonNode p = TestHttp.assertProblem(post("/v1/embed", body), status, code, detail);
        assertThat(p.path("daemon").asText()).isEqualTo("embedd");
    }

    @Test
    void edgeTexts_thatPassValidation_embedWithTheLocalModel() throws Exception {
        HttpResponse<String> res = post("/v1/embed", "{\"input\":[\".\",\"\\ud83d\\ude00\",\"a\\u0000b\",\"\\u00e9\\u0301\"]}");
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(res.body()).path("embeddings")).hasSize(4);
    }

    @Test
    void openAiEndpoint_badInputs() throws Exception {
        assertThat(post("/v1/embeddings", "{\"input\":\"x\",\"encoding_format\":\"int8\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> dims = post("/v1/embeddings", "{\"input\":\"x\",\"dimensions\":128}");
        assertThat(dims.statusCode()).isEqualTo(400);
        assertThat(dims.body()).contains("384");
        HttpResponse<String> tokens = post("/v1/embeddings", "{\"input\":[[1,2,3]]}");
        assertThat(tokens.statusCode()).isEqualTo(400);
        assertThat(tokens.body()).contains("token arrays are not supported");
    }

    @Test
    void openAiSdk_worksUnchanged_floatAndDefaultEncoding() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused").build();
        CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").input(EmbeddingCreateParams.Input.ofArrayOfStrings(List.of("forklift", "welder")))
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertThat(floats.data()).hasSize(2);
        assertThat(floats.data().get(1).index()).isEqualTo(1);
        assertThat(floats.data().get(0).embedding()).hasSize(384);
        assertThat(floats.usage().promptTokens()).isPositive();

        CreateEmbeddingResponse byDefault = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").input("forklift").build());
        assertThat(byDefault.data().get(0).embedding()).containsExactlyElementsOf(floats.data().get(0).embedding());
        assertThat(byDefault.model()).isEqualTo("all-minilm-l6-v2");
    }
}
