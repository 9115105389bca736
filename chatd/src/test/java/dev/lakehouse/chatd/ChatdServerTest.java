package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * chatd in-process against local servers speaking each provider's real protocol
 * (FakeProviders): every provider's happy path, whole and streamed event by event;
 * retry, Retry-After, cooldown, fallback order, keyless providers skipped, mid-stream
 * failures surfaced, first-token and whole-answer timeouts, empty answers, caller
 * disconnect cancelling the provider call, observation, metrics, every bad input —
 * and OpenAI's own Java SDK as a client of /v1/chat/completions.
 */
class ChatdServerTest {
    static final String OPENROUTER_KEY = "sk-or-v1-testkey0123456789abcdef";
    static FakeProviders fake;
    static FakeObserverd observerd;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;
    DaemonServer chatd;

    @BeforeAll
    static void fakes() {
        fake = new FakeProviders();
        observerd = new FakeObserverd();
    }

    @AfterAll
    static void stopFakes() {
        fake.close();
        observerd.close();
    }

    @AfterEach
    void stop() {
        if (chatd != null) {
            chatd.stop();
        }
        fake.reset();
    }

    /**
     * Deadlines short enough for the timeout tests to be quick. Only those tests use them: on a loaded 2-core
     * machine a healthy fake can take longer than 700 ms to answer, and every other test would then see a
     * timeout and a retry it did not ask for.
     */
    static final String[] SHORT_TIMEOUTS = {"CHATD_TIMEOUT", "1s", "CHATD_FIRST_TOKEN_TIMEOUT", "700ms",
            "CHATD_CHUNK_TIMEOUT", "700ms", "CHATD_RETRIES", "0"};

    /** chatd with the providers pointed at the fakes, all keys set, 10 s deadlines; {@code overrides} change any of it. */
    void start(String... overrides) {
        Map<String, String> env = new HashMap<>(fake.env());
        env.putAll(Map.of("LAKEHOUSE_CHATD_PORT", "0", "LAKEHOUSE_DATA_DIR", dataDir.toString(),
                "LAKEHOUSE_OBSERVERD_URL", observerd.url().toString(),
                "OLLAMA_API_KEY", "ollama-cloud-key", "OPENROUTER_API_KEY", OPENROUTER_KEY,
                "MOONSHOT_API_KEY", "sk-moonshot-key", "OPENCODE_API_KEY", "opencode-key"));
        env.putAll(Map.of("CHATD_TIMEOUT", "10s", "CHATD_FIRST_TOKEN_TIMEOUT", "10s", "CHATD_CHUNK_TIMEOUT", "10s",
                "CHATD_RETRY_BACKOFF", "10ms", "CHATD_RETRY_AFTER_MAX", "2s", "CHATD_MAX_BODY_BYTES", "65536",
                "CHATD_DEFAULT_MODEL", "qwen2.5:7b"));
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                env.remove(overrides[i]);
            } else {
                env.put(overrides[i], overrides[i + 1]);
            }
        }
        chatd = ChatdMain.builder(ChatdConfig.from(EnvConfig.of(env)), EnvConfig.of(env), Clock.systemUTC()).embedded().start();
    }

    final TestHttp http = new TestHttp(() -> chatd.port());

    URI uri(String path) {
        return http.uri(path);
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.post(path, json);
    }

    JsonNode get(String path) throws Exception {
        return TestHttp.json(http.get(path));
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestHttp.json(r);
    }

    static String chat(String provider, String model, boolean stream, String extra) {
        return "{" + (provider == null ? "" : "\"provider\":\"" + provider + "\",") + "\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello\"}],"
                + "\"temperature\":0.2,\"max_tokens\":64,\"stream\":" + stream + extra + "}";
    }

    record Event(String name, String data) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(data);
        }
    }

    /** A streamed answer's events, in order; the status and content type must be 200 text/event-stream. */
    List<Event> events(String path, String json, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<Stream<String>> r = HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Event> events = new ArrayList<>();
        String name = null;
        for (String line : (Iterable<String>) r.body()::iterator) {
            if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                events.add(new Event(name, line.substring(6)));
                name = null;
            }
        }
        return events;
    }

    static Stream<Arguments> providers() {
        return Stream.of(
                Arguments.of("ollama", "/ollama/api/chat", null),
                Arguments.of("ollama_cloud", "/ollama_cloud/api/chat", "Bearer ollama-cloud-key"),
                Arguments.of("openrouter", "/openrouter/api/v1/chat/completions", "Bearer " + OPENROUTER_KEY),
                Arguments.of("kimi", "/kimi/v1/chat/completions", "Bearer sk-moonshot-key"),
                Arguments.of("opencode", "/opencode/zen/v1/chat/completions", "Bearer opencode-key"));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void eachProvider_answersWhole_overItsOwnProtocol(String provider, String path, String auth) throws Exception {
        start();
        HttpResponse<String> r = post("/v1/chat", chat(provider, "m1", false, ""));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("provider").asText()).isEqualTo(provider);
        assertThat(body.path("model").asText()).isEqualTo("m1");
        assertThat(body.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(body.path("message").path("content").asText()).isEqualTo("Hello from " + provider + "/m1");
        assertThat(body.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.path("usage").toString()).isEqualTo("{\"prompt_tokens\":26,\"completion_tokens\":3,\"total_tokens\":29}");
        assertThat(body.path("latency_ms").asDouble()).isPositive();
        assertThat(body.path("attempts")).hasSize(1);
        assertThat(body.path("attempts").get(0).path("status").asText()).isEqualTo("ok");

        FakeProviders.Call call = fake.calls(provider).get(0);
        assertThat(call.path()).isEqualTo(path);
        assertThat(call.authorization()).isEqualTo(auth);
        assertThat(call.body().path("model").asText()).isEqualTo("m1");
        assertThat(call.body().path("messages").get(1).path("content").asText()).isEqualTo("Say hello");
        assertThat(call.body().path("stream").asBoolean()).isFalse();
        if (path.endsWith("/api/chat")) {
            assertThat(call.body().path("options").path("temperature").asDouble()).isEqualTo(0.2);
            assertThat(call.body().path("options").path("num_predict").asInt()).isEqualTo(64);
        } else {
            assertThat(call.body().path("temperature").asDouble()).isEqualTo(0.2);
            assertThat(call.body().path("max_tokens").asInt()).isEqualTo(64);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void eachProvider_streams_eventByEvent(String provider, String path, String auth) throws Exception {
        start();
        List<Event> events = events("/v1/chat", chat(provider, "m1", true, ""));
        assertThat(events).extracting(Event::name).containsExactly("start", "delta", "delta", "delta", "done");
        assertThat(events.get(0).json().path("provider").asText()).isEqualTo(provider);
        List<String> deltas = new ArrayList<>();
        for (Event e : events.subList(1, 4)) {
            deltas.add(e.json().path("content").asText());
        }
        assertThat(deltas).containsExactly("Hello", " from ", provider + "/m1");
        JsonNode done = events.get(4).json();
        assertThat(done.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(done.path("usage").path("total_tokens").asInt()).as("usage, also from Moonshot's in-choice field").isEqualTo(29);
        assertThat(done.path("ttft_ms").asDouble()).isPositive();
        FakeProviders.Call call = fake.calls(provider).get(0);
        assertThat(call.body().path("stream").asBoolean()).isTrue();
    }

    @Test
    void modelMayNameItsProvider() throws Exception {
        start();
        JsonNode body = json(post("/v1/chat", chat(null, "openrouter/meta-llama/llama-3.1-8b-instruct", false, "")));
        assertThat(body.path("provider").asText()).isEqualTo("openrouter");
        assertThat(body.path("model").asText()).isEqualTo("meta-llama/llama-3.1-8b-instruct");
        JsonNode defaults = json(post("/v1/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(defaults.path("provider").asText() + "/" + defaults.path("model").asText()).isEqualTo("ollama/qwen2.5:7b");
    }

    @Test
    void a500_isRetried_andTheAttemptsSaySo() throws Exception {
        start();
        fake.script("ollama", FakeProviders.Step.status(500, null));
        JsonNode body = json(post("/v1/chat", chat("ollama", "m1", false, "")));
        assertThat(body.path("message").path("content").asText()).isEqualTo("Hello from ollama/m1");
        assertThat(body.path("attempts")).hasSize(2);
        JsonNode failed = body.path("attempts").get(0);
        assertThat(failed.path("status").asText()).isEqualTo("error");
        assertThat(failed.path("error_kind").asText()).isEqualTo("server_error");
        assertThat(failed.path("http_status").asInt()).isEqualTo(500);
        assertThat(failed.path("error").asText()).contains("scripted failure 500");
    }

    @Test
    void a429_isRetriedAfterItsRetryAfter_orPassedToTheFallbackWhenThatIsTooLong() throws Exception {
        start();
        fake.script("openrouter", FakeProviders.Step.status(429, "1"));
        long t0 = System.nanoTime();
        JsonNode body = json(post("/v1/chat", chat("openrouter", "m1", false, "")));
        assertThat(body.path("attempts").get(0).path("error_kind").asText()).isEqualTo("rate_limited");
        assertThat(body.path("attempts").get(body.path("attempts").size() - 1).path("status").asText()).isEqualTo("ok");
        assertThat(System.nanoTime() - t0).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(950));

        fake.reset();
        fake.script("openrouter", FakeProviders.Step.status(429, "30"));
        body = json(post("/v1/chat", chat("openrouter", "m1", false, ",\"fallback\":[{\"provider\":\"kimi\",\"model\":\"k2\"}]")));
        assertThat(body.path("provider").asText()).isEqualTo("kimi");
        assertThat(body.path("attempts")).extracting(a -> a.path("status").asText() + ":" + a.path("error_kind").asText(""))
                .containsExactly("error:rate_limited", "skipped:retry_after_too_long", "ok:");
        assertThat(fake.calls("openrouter")).hasSize(1);
    }

    @Test
    void threeFailures_coolTheProviderDown_andItIsSkippedUntilThen() throws Exception {
        start();
        fake.script("ollama", FakeProviders.Step.status(500, null), FakeProviders.Step.status(502, null),
                FakeProviders.Step.status(503, null));
        HttpResponse<String> first = post("/v1/chat", chat("ollama", "m1", false, ""));
        assertThat(first.statusCode()).isEqualTo(502);
        JsonNode problem = json(first);
        assertThat(problem.path("code").asText()).isEqualTo("all_providers_failed");
        assertThat(problem.path("attempts")).hasSize(3);
        assertThat(fake.calls("ollama")).hasSize(3);

        HttpResponse<String> second = post("/v1/chat", chat("ollama", "m1", false, ""));
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(json(second).path("code").asText()).isEqualTo("no_provider_available");
        assertThat(json(second).path("attempts").get(0).path("error_kind").asText()).isEqualTo("cooling_down");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(fake.calls("ollama")).as("a cooling provider is not called").hasSize(3);

        JsonNode ollama = get("/v1/providers").path("providers").get(0);
        assertThat(ollama.path("name").asText()).isEqualTo("ollama");
        assertThat(ollama.path("state").asText()).isEqualTo("cooling_down");
        assertThat(ollama.path("cooling_until").asText()).isNotEmpty();
        assertThat(metrics()).contains("chatd_cooldowns_total{daemon=\"chatd\",provider=\"ollama\"} 1.0");
    }

    @Test
    void fallback_isTried_inOrder_request_thenConfigured() throws Exception {
        start("CHATD_FALLBACK", "kimi/k2", "CHATD_RETRIES", "1");
        fake.script("ollama", FakeProviders.Step.status(500, null), FakeProviders.Step.status(500, null));
        fake.script("openrouter", FakeProviders.Step.status(503, null), FakeProviders.Step.status(503, null));
        JsonNode body = json(post("/v1/chat", chat("ollama", "m1", false,
                ",\"fallback\":[{\"provider\":\"openrouter\",\"model\":\"x/y\"}]")));
        assertThat(body.path("provider").asText() + "/" + body.path("model").asText()).isEqualTo("kimi/k2");
        assertThat(body.path("attempts")).extracting(a -> a.path("provider").asText() + ":" + a.path("status").asText())
                .containsExactly("ollama:error", "ollama:error", "openrouter:error", "openrouter:error", "kimi:ok");
    }

    @Test
    void aProviderWithoutItsKey_isSkipped_neverCalled() throws Exception {
        start("OPENROUTER_API_KEY", null);
        JsonNode body = json(post("/v1/chat", chat("openrouter", "m1", false,
                ",\"fallback\":[{\"model\":\"ollama/m2\"}]")));
        assertThat(body.path("provider").asText()).isEqualTo("ollama");
        assertThat(body.path("attempts").get(0).path("status").asText()).isEqualTo("skipped");
        assertThat(body.path("attempts").get(0).path("error").asText()).contains("OPENROUTER_API_KEY");
        assertThat(fake.calls("openrouter")).isEmpty();
        JsonNode providers = get("/v1/providers").path("providers");
        assertThat(providers.get(2).path("name").asText()).isEqualTo("openrouter");
        assertThat(providers.get(2).path("state").asText()).isEqualTo("no_key");
        assertThat(providers.toString()).doesNotContain("ollama-cloud-key", "sk-moonshot-key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ollama", "openrouter"})
    void aMidStreamError_reachesTheCaller_asAnErrorEvent(String provider) throws Exception {
        start();
        fake.script(provider, FakeProviders.Step.midStreamError());
        List<Event> events = events("/v1/chat", chat(provider, "m1", true, ""));
        assertThat(events).extracting(Event::name).containsExactly("start", "delta", "delta", "error");
        JsonNode error = events.get(3).json();
        assertThat(error.path("code").asText()).isEqualTo("stream_failed");
        assertThat(error.path("error_kind").asText()).isEqualTo("stream_error");
        assertThat(error.path("peer").asText()).isEqualTo(provider);
        assertThat(error.path("detail").asText()).containsAnyOf("an error was encountered", "Provider disconnected");
        assertThat(fake.calls(provider)).as("no retry once bytes went out").hasSize(1);
    }

    @Test
    void aSlowFirstToken_timesOut_despiteKeepAliveComments_thenTheFallbackServes() throws Exception {
        start(SHORT_TIMEOUTS);
        fake.script("openrouter", FakeProviders.Step.slowFirstToken(3_000));
        List<Event> events = events("/v1/chat", chat("openrouter", "m1", true, ",\"fallback\":[{\"model\":\"ollama/m2\"}]"));
        assertThat(events).extracting(Event::name).containsExactly("start", "delta", "delta", "delta", "done");
        JsonNode attempts = events.get(4).json().path("attempts");
        assertThat(attempts.get(0).path("error_kind").asText()).isEqualTo("timeout");
        assertThat(attempts.get(0).path("error").asText()).contains("no first token within 700 ms");
        assertThat(attempts.get(1).path("provider").asText()).isEqualTo("ollama");
    }

    @Test
    void aStreamThatStallsAfterItsFirstToken_endsWithAnErrorEvent_afterTheChunkTimeout() throws Exception {
        start(SHORT_TIMEOUTS);
        fake.script("ollama", FakeProviders.Step.ticking(5, 1_500));   // a chunk every 1.5 s; the chunk timeout is 0.7 s
        List<Event> events = events("/v1/chat", chat("ollama", "m1", true, ""));
        assertThat(events).extracting(Event::name).containsExactly("start", "delta", "error");
        JsonNode error = events.get(2).json();
        assertThat(error.path("error_kind").asText()).isEqualTo("timeout");
        assertThat(error.path("detail").asText()).contains("no chunk within 700 ms");
    }

    @Test
    void aHungProvider_timesOut_wholeAndStreamed() throws Exception {
        start(SHORT_TIMEOUTS);
        fake.script("ollama", FakeProviders.Step.hang());
        HttpResponse<String> whole = post("/v1/chat", chat("ollama", "m1", false, ""));
        assertThat(whole.statusCode()).isEqualTo(504);
        assertThat(json(whole).path("code").asText()).isEqualTo("provider_timeout");

        fake.script("kimi", FakeProviders.Step.hang());
        HttpResponse<String> streamed = post("/v1/chat", chat("kimi", "m1", true, ""));
        assertThat(streamed.statusCode()).as("before the first byte a failure is a problem, not an empty 200").isEqualTo(504);
        assertThat(json(streamed).path("attempts").get(0).path("error").asText()).contains("no first token");
    }

    @Test
    void anEmpty200_isAFailure_andRetried() throws Exception {
        start();
        fake.script("kimi", FakeProviders.Step.empty());
        JsonNode whole = json(post("/v1/chat", chat("kimi", "m1", false, "")));
        assertThat(whole.path("attempts").get(0).path("error_kind").asText()).isEqualTo("empty_response");
        assertThat(whole.path("message").path("content").asText()).isNotEmpty();
        fake.script("kimi", FakeProviders.Step.empty());
        List<Event> events = events("/v1/chat", chat("kimi", "m1", true, ""));
        assertThat(events.get(events.size() - 1).json().path("attempts").get(0).path("error_kind").asText())
                .isEqualTo("empty_response");
    }

    @Test
    void anUnknownModel_is404_fromTheProvidersOwnAnswer() throws Exception {
        start();
        HttpResponse<String> r = post("/v1/chat", chat("ollama", "missing", false, ""));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).path("code").asText()).isEqualTo("unknown_model");
        assertThat(json(r).path("detail").asText()).contains("not found, try pulling it first");
    }

    @Test
    void aCallerWhoHangsUp_cancelsTheProviderCall() throws Exception {
        start("CHATD_CHUNK_TIMEOUT", "5s");
        fake.script("ollama", FakeProviders.Step.ticking(400, 25));
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri("/v1/chat"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("ollama", "m-cancel", true, ""))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        int deltas = 0;
        for (String line = reader.readLine(); line != null && deltas < 3; line = reader.readLine()) {
            if (line.equals("event: delta")) {
                deltas++;
            }
        }
        r.body().close();   // the caller goes away after three deltas
        assertThat(fake.tickingEnded.await(10, TimeUnit.SECONDS)).as("the provider's stream was cut").isTrue();
        assertThat(fake.tickedBeforeCancel.get()).as("chunks the provider sent before chatd hung up").isBetween(3, 399);
        awaitObservation("cancelled", "ollama/m-cancel");
    }

    @Test
    void everyCall_isObserved_withPromptAndOutput_andNoKey() throws Exception {
        start();
        post("/v1/chat", chat("openrouter", "m-observed", false, ""));
        JsonNode event = awaitObservation("ok", "openrouter/m-observed");
        assertThat(event.path("kind").asText()).isEqualTo("chat.call");
        assertThat(event.path("daemon").asText()).isEqualTo("chatd");
        assertThat(event.path("request_id").asText()).isNotEmpty();
        JsonNode p = event.path("payload");
        assertThat(p.path("provider").asText()).isEqualTo("openrouter");
        assertThat(p.path("model").asText()).isEqualTo("m-observed");
        assertThat(p.path("messages").get(1).path("content").asText()).isEqualTo("Say hello");
        assertThat(p.path("output").asText()).isEqualTo("Hello from openrouter/m-observed");
        assertThat(p.path("usage").path("total_tokens").asInt()).isEqualTo(29);
        assertThat(p.path("attempts")).hasSize(1);
        assertThat(observerd.snapshot().toString()).doesNotContain(OPENROUTER_KEY, "sk-moonshot-key", "opencode-key");
    }

    JsonNode awaitObservation(String status, String requested) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (JsonNode e : observerd.snapshot()) {
                if (e.path("payload").path("status").asText().equals(status)
                        && e.path("payload").path("requested").asText().equals(requested)) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no chat.call observation with status " + status + " in " + observerd.snapshot());
    }

    String metrics() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void metrics_perProviderAndModel() throws Exception {
        start();
        events("/v1/chat", chat("kimi", "k2", true, ""));
        fake.script("kimi", FakeProviders.Step.status(500, null), FakeProviders.Step.status(500, null),
                FakeProviders.Step.status(500, null));
        post("/v1/chat", chat("kimi", "k2", false, ""));
        String m = metrics();
        assertThat(m).contains("chatd_requests_total{daemon=\"chatd\",model=\"k2\",outcome=\"ok\",provider=\"kimi\"} 1.0");
        assertThat(m).contains("chatd_errors_total{daemon=\"chatd\",kind=\"server_error\",model=\"k2\",provider=\"kimi\"} 3.0");
        assertThat(m).contains("chatd_tokens_total{daemon=\"chatd\",direction=\"in\",model=\"k2\",provider=\"kimi\"} 26.0");
        assertThat(m).contains("chatd_tokens_total{daemon=\"chatd\",direction=\"out\",model=\"k2\",provider=\"kimi\"} 3.0");
        assertThat(m).contains("chatd_ttft_seconds_count{daemon=\"chatd\",model=\"k2\",provider=\"kimi\"} 1");
        assertThat(m).contains("chatd_latency_seconds_count{daemon=\"chatd\",model=\"k2\",provider=\"kimi\"} 4");
        assertThat(m).contains("chatd_cooldowns_total{daemon=\"chatd\",provider=\"kimi\"} 1.0");
    }

    @Test
    void providersAndModels_describeTheConfiguration() throws Exception {
        start("CHATD_OPENROUTER_MODELS", "meta-llama/llama-3.1-8b-instruct,qwen/qwen3-32b", "MOONSHOT_API_KEY", null);
        JsonNode providers = get("/v1/providers");
        assertThat(providers.path("default").asText()).isEqualTo("ollama/qwen2.5:7b");
        assertThat(providers.path("providers")).extracting(p -> p.path("name").asText())
                .containsExactly("ollama", "ollama_cloud", "openrouter", "kimi", "opencode");
        assertThat(providers.path("providers").get(3).path("state").asText()).isEqualTo("no_key");
        assertThat(providers.path("providers").get(3).path("key_env").asText()).isEqualTo("MOONSHOT_API_KEY");
        JsonNode models = get("/v1/models");
        assertThat(models.path("object").asText()).isEqualTo("list");
        assertThat(models.path("data")).extracting(d -> d.path("id").asText() + "@" + d.path("owned_by").asText())
                .containsExactly("ollama/qwen2.5:7b@ollama", "openrouter/meta-llama/llama-3.1-8b-instruct@openrouter",
                        "openrouter/qwen/qwen3-32b@openrouter");
    }

    static Stream<Arguments> badInputs() {
        String ok = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                Arguments.of("{\"provider\":\"bard\",\"model\":\"x\"," + ok + "}", 400, "unknown_provider", "bard"),
                Arguments.of("{\"provider\":\"openrouter\"," + ok + "}", 400, "missing_field", "model"),
                Arguments.of("{\"model\":\"m\",\"messages\":[]}", 400, "invalid_field", "messages"),
                Arguments.of("{\"model\":\"m\"}", 400, "missing_field", "messages"),
                Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "invalid_field",
                        "messages[0].role"),
                Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":42}]}", 400, null, "messages[0].content"),
                Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{\"text\":\"hi\"}}]}", 400, null,
                        "messages[0].content"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"temperature\":2.5}", 400, "invalid_field", "temperature"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"temperature\":-0.1}", 400, "invalid_field", "temperature"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"max_tokens\":0}", 400, "invalid_field", "max_tokens"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"max_tokens\":-5}", 400, "invalid_field", "max_tokens"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"fallback\":[\"openrouter/x\"]}", 400, null, "fallback[0]"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"fallback\":[{\"provider\":\"nope\",\"model\":\"x\"}]}", 400,
                        "unknown_provider", "fallback[0].provider"),
                Arguments.of("{\"provider\":\"opencode\",\"model\":\"claude-sonnet-4-5\"," + ok + "}", 400, "model_not_supported",
                        "claude-sonnet-4-5"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"stream\":\"yes\"}", 400, null, "stream"),
                Arguments.of("{\"model\":\"m\"," + ok + ",\"unknown\":1}", 400, null, "unknown"),
                Arguments.of("{\"model\":\"m\"," + ok, 400, null, ""),
                Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}",
                        413, "payload_too_large", "limit"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badInput_is4xxProblem_namingWhatIsWrong(String body, int status, String code, String mentions) throws Exception {
        start();
        TestHttp.assertProblem(post("/v1/chat", body), status, code, mentions);
        assertThat(fake.calls).as("nothing reaches a provider").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"model\":\"ollama/m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\"}]}",
        "{\"model\":\"ollama/m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}",
        "{\"model\":\"ollama/m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "{\"model\":\"ollama/m\",\"messages\":[{\"role\":\"tool\",\"content\":\"hi\"}]}"})
    void openAiBadInput_is400Problem(String body) throws Exception {
        start();
        HttpResponse<String> r = post("/v1/chat/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("code").asText()).isIn("invalid_field", "missing_field");
    }

    OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + chatd.port() + "/v1").apiKey("unused")
                .maxRetries(0).build();
    }

    @Test
    void openAiSdk_wholeAnswer() {
        start();
        ChatCompletion c = sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("openrouter/meta-llama/llama-3.1-8b-instruct").addSystemMessage("Be brief.").addUserMessage("Say hello")
                .temperature(0.2).maxCompletionTokens(64).build());
        c.validate();
        assertThat(c.model()).isEqualTo("openrouter/meta-llama/llama-3.1-8b-instruct");
        assertThat(c.choices().get(0).message().content()).contains("Hello from openrouter/meta-llama/llama-3.1-8b-instruct");
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");
        assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(29);
        assertThat(fake.calls("openrouter").get(0).body().path("max_tokens").asInt()).isEqualTo(64);
    }

    @Test
    void openAiSdk_streaming_withUsage() {
        start();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = sdk().chat().completions().createStreaming(ChatCompletionCreateParams
                .builder().model("ollama/qwen2.5:7b").addUserMessage("Say hello")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunk -> {
                chunk.validate();
                chunks.add(chunk);
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
            });
        }
        assertThat(text.toString()).isEqualTo("Hello from ollama/qwen2.5:7b");
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().totalTokens()).isEqualTo(29);
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason().orElseThrow().asString()).isEqualTo("stop");
    }

    @Test
    void openAiSdk_seesAMidStreamFailure_asAnError() {
        start();
        fake.script("openrouter", FakeProviders.Step.midStreamError());
        StringBuilder text = new StringBuilder();
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = sdk().chat().completions().createStreaming(ChatCompletionCreateParams
                    .builder().model("openrouter/m1").addUserMessage("Say hello").build())) {
                s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
            }
        }).hasMessageContaining("Provider disconnected");
        assertThat(text.toString()).isEqualTo("Hello from ");
    }

    @Test
    void openAiSdk_seesAFailureBeforeTheFirstByte_asAnHttpError() {
        start("CHATD_RETRIES", "0");
        fake.script("ollama", FakeProviders.Step.status(500, null));
        assertThatThrownBy(() -> sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("ollama/m1").addUserMessage("hi").build()))
                .isInstanceOf(com.openai.errors.OpenAIServiceException.class)
                .hasMessageContaining("502");
    }

    /**
     * Budgets, the spend ledger and streams that must never end silently (docs/chatd.md, "Budgets and the spend ledger",
     * "Streams"): chatd as the gateway reaches it, the caller named by the header the gateway sets.
     */
    @org.junit.jupiter.api.Nested
    class SpendAndStreams {
        Path budgets;

        void startWith(String budgetLines, String... overrides) throws Exception {
            budgets = dataDir.resolve("budgets.txt");
            java.nio.file.Files.writeString(budgets, budgetLines);
            String[] all = java.util.Arrays.copyOf(overrides, overrides.length + 2);
            all[overrides.length] = "LAKEHOUSE_BUDGETS_FILE";
            all[overrides.length + 1] = budgets.toString();
            start(all);
        }

        HttpResponse<String> postAs(String caller, String path, String json) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .header("X-Lakehouse-Caller", caller).header("X-Lakehouse-Route", "/v1/chat")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        }

        List<Event> eventsAs(String caller, String json) throws Exception {
            return events("/v1/chat", json, "X-Lakehouse-Caller", caller);
        }

        @Test
        void aCallThatCouldCrossItsKeysBudget_is429_beforeAnyProviderIsCalled() throws Exception {
            startWith("alice day tokens=100\n");
            HttpResponse<String> r = postAs("alice", "/v1/chat", chat("openrouter", "m1", false, ""));
            JsonNode p = TestHttp.assertProblem(r, 429, "budget_exceeded", "alice");
            assertThat(p.path("budget").path("name").asText()).isEqualTo("alice/day");
            assertThat(p.path("budget").path("limit_tokens").asText()).isEqualTo("100");
            assertThat(p.path("budget").path("resets_at").asText()).endsWith("T00:00:00Z");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(fake.calls("openrouter")).as("no provider heard of it").isEmpty();
            assertThat(fake.calls("ollama")).isEmpty();
            assertThat(postAs("bob", "/v1/chat", chat("openrouter", "m1", false, "")).statusCode()).as("no budget: unlimited")
                    .isEqualTo(200);
            assertThat(metrics()).contains("chatd_budget_refused_total{daemon=\"chatd\",key=\"alice\"} 1.0");
        }

        @Test
        void settledCalls_areInTheLedger_theReport_andTheMetrics_andSurviveARestart() throws Exception {
            startWith("alice day tokens=100000 cost=1\n");
            assertThat(postAs("alice", "/v1/chat", chat("openrouter", "m1", false, "")).statusCode()).isEqualTo(200);
            assertThat(eventsAs("alice", chat("openrouter", "m1", true, ""))).extracting(Event::name).last().isEqualTo("done");
            JsonNode report = get("/v1/spend?key=alice&group_by=model");
            JsonNode total = report.path("total");
            assertThat(total.path("calls").asLong()).isEqualTo(2);
            assertThat(total.path("input_tokens").asLong()).isEqualTo(52);    // as the fake reports: 26 + 3 a call
            assertThat(total.path("output_tokens").asLong()).isEqualTo(6);
            assertThat(total.path("cost_usd").decimalValue()).isEqualByComparingTo("0.000246");   // (52 × $3 + 6 × $15) / 1M
            assertThat(report.path("groups").get(0).path("group").asText()).isEqualTo("openrouter/m1");
            assertThat(report.path("budgets").get(0).path("spent_tokens").asLong()).isEqualTo(58);
            assertThat(get("/v1/spend?group_by=route").path("groups").get(0).path("group").asText()).isIn("/v1/chat", "chatd chat");
            assertThat(metrics()).contains("chatd_spend_tokens_total{daemon=\"chatd\",direction=\"in\",key=\"alice\",model=\"openrouter/m1\"} 52.0");
            chatd.stop();
            startWith("alice day tokens=100000 cost=1\n");
            JsonNode again = get("/v1/spend?key=alice&group_by=model");
            assertThat(again.path("groups")).as("the ledger read again").isEqualTo(report.path("groups"));
            assertThat(again.path("total")).isEqualTo(total);
            assertThat(again.path("budgets")).isEqualTo(report.path("budgets"));
        }

        @Test
        void aBudgetedCallWithoutMaxTokens_isGivenTheDefault_soItsCostIsBounded() throws Exception {
            startWith("alice day tokens=100000\n", "CHATD_BUDGET_MAX_TOKENS", "200");
            String noMax = chat("openrouter", "m1", false, "").replace("\"max_tokens\":64,", "");
            assertThat(postAs("alice", "/v1/chat", noMax).statusCode()).isEqualTo(200);
            assertThat(fake.calls("openrouter").get(0).body().path("max_tokens").asInt()).isEqualTo(200);
            assertThat(postAs("bob", "/v1/chat", noMax).statusCode()).isEqualTo(200);
            assertThat(fake.calls("openrouter").get(1).body().has("max_tokens")).as("an unbudgeted key's call is as asked").isFalse();
        }

        /** A connection dropped mid-answer (no end of the stream, no last chunk) and a chunk that is not JSON. */
        @ParameterizedTest
        @org.junit.jupiter.params.provider.CsvSource({"ollama, dropped", "openrouter, dropped", "ollama, malformed", "openrouter, malformed"})
        void aStreamCutMidAnswer_endsWithAnErrorEvent_neverDone_andThePartIsCharged(String provider, String cut) throws Exception {
            startWith("alice day tokens=100000\n", "CHATD_RETRIES", "0");
            fake.script(provider, cut.equals("dropped") ? FakeProviders.Step.dropped() : FakeProviders.Step.malformed());
            List<Event> events = eventsAs("alice", chat(provider, "m1", true, ""));
            assertThat(events).extracting(Event::name).containsExactly("start", "delta", "delta", "error");
            assertThat(events.get(3).json().path("code").asText()).isEqualTo("stream_failed");
            if (cut.equals("malformed")) {
                assertThat(events.get(3).json().path("error_kind").asText()).isEqualTo("bad_response");
            }
            JsonNode spent = get("/v1/spend?key=alice").path("total");
            assertThat(spent.path("calls").asLong()).isEqualTo(1);
            assertThat(spent.path("output_tokens").asLong()).as("'Hello from ' counted").isEqualTo(3);
        }

        @Test
        void absurdOrNegativeUsage_isChargedTheBoundOrCounted() throws Exception {
            startWith("alice day tokens=100000\n");
            fake.script("openrouter", FakeProviders.Step.reporting("{\"prompt_tokens\":2147483647,\"completion_tokens\":3}"),
                    FakeProviders.Step.reporting("{\"prompt_tokens\":-4,\"completion_tokens\":-1}"));
            assertThat(postAs("alice", "/v1/chat", chat("openrouter", "m1", false, "")).statusCode()).isEqualTo(200);
            assertThat(postAs("alice", "/v1/chat", chat("openrouter", "m1", false, "")).statusCode()).isEqualTo(200);
            List<String> ledger = java.nio.file.Files.readAllLines(dataDir.resolve("chatd/ledger/ledger-"
                    + java.time.Instant.now().toString().substring(0, 7) + ".jsonl"));
            assertThat(ledger).hasSize(2);
            JsonNode capped = Json.mapper().readTree(ledger.get(0));
            assertThat(capped.path("usage").asText()).isEqualTo("capped");
            assertThat(capped.path("input_tokens").asLong()).as("the bound: bytes + 4 a message + 8").isLessThan(100);
            assertThat(Json.mapper().readTree(ledger.get(1)).path("usage").asText()).isEqualTo("counted");
            assertThat(metrics()).contains("chatd_usage_implausible_total");
        }

        @Test
        void aProviderThatRefusesConnections_isUnreachable_beforeAnyoneCallsIt() throws Exception {
            int closed;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            startWith("", "CHATD_OLLAMA_URL", "http://127.0.0.1:" + closed);
            JsonNode providers = get("/v1/providers").path("providers");
            assertThat(providers.get(0).path("name").asText()).isEqualTo("ollama");
            assertThat(providers.get(0).path("state").asText()).isEqualTo("unreachable");
            assertThat(providers.get(0).path("last_error").asText()).contains("127.0.0.1:" + closed);
            assertThat(providers.get(2).path("state").asText()).as("openrouter (the fake) answers").isEqualTo("ok");
        }

        @ParameterizedTest
        @ValueSource(strings = {"from=yesterday", "to=2026-13-01", "from=2026-12-07&to=2026-12-01", "group_by=provider",
                "key=%01bad", "from=2026-12-07T10:00:00"})
        void aBadSpendQuery_is400_namingTheParameter(String query) throws Exception {
            startWith("");
            HttpResponse<String> r = http.get("/v1/spend?" + query);
            String param = query.contains("group_by") ? "group_by" : query.startsWith("key") ? "key"
                    : query.contains("&to=") || query.startsWith("to") ? "to" : "from";
            TestHttp.assertProblem(r, 400, "invalid_field", param);
        }

        @Test
        void aBudgetsFileThatDoesNotParse_stopsTheStart_namingTheLine() throws Exception {
            assertThatThrownBy(() -> startWith("# budgets\nalice day tokens=NaN\n"))
                    .isInstanceOf(dev.lakehouse.common.ConfigException.class).hasMessageContaining("line 2");
        }
    }
}
