package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.ScriptedOllama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * chatd and validatord as real processes, with observerd and the gateway, over a
 * scripted Ollama (a local server speaking {@code /api/chat}, whole and NDJSON):
 * a chat streamed through the gateway event by event; /v1/iterate correcting a
 * fill through the real chatd, every attempt in observerd; chatd killed with -9
 * → iterate answers 503 naming chatd while validation goes on, and works again
 * after chatd restarts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatIterateIT {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Queue<String> SCRIPT = new ConcurrentLinkedQueue<>();
    static ScriptedOllama ollama;
    static Stack stack;
    static JsonNode worker;

    @BeforeAll
    static void start() throws Exception {
        ollama = new ScriptedOllama(body -> SCRIPT.isEmpty() ? "Hello there, friend" : SCRIPT.poll());
        Path roster = Stack.generateRoster(5000);
        Path budgets = java.nio.file.Files.createTempFile("budgets", ".txt");
        java.nio.file.Files.writeString(budgets, "anonymous month tokens=1000000000\n");   // the open gateway's caller
        stack = Stack.builder()
                .daemon(DaemonId.OBSERVERD)
                .daemon(DaemonId.CHATD, Map.of("CHATD_OLLAMA_URL", "http://127.0.0.1:" + ollama.port(),
                        "CHATD_DEFAULT_MODEL", "qwen2.5:7b", "LAKEHOUSE_BUDGETS_FILE", budgets.toString()))
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                .daemon(DaemonId.GATEWAY, Map.of("LAKEHOUSE_BUDGETS_FILE", budgets.toString()))
                .start();
        worker = Json.mapper().readTree(get(stack.url("validatord"), "/v1/roster/workers/W000010").body());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        ollama.close();
    }

    static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(URI base, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String iterateFill() {
        return "{\"kind\":\"fill\",\"instruction\":\"Staff order O-7 with one worker\",\"context\":{\"order\":{\"order_id\":\"O-7\","
                + "\"role\":\"" + worker.path("role").asText() + "\",\"lat\":" + worker.path("lat").asDouble() + ",\"lon\":"
                + worker.path("lon").asDouble() + ",\"radius_miles\":10,\"headcount\":1}},\"max_attempts\":3}";
    }

    @Test
    @Order(1)
    void aChat_streamsThroughTheGateway_eventByEvent() throws Exception {
        SCRIPT.add("Forklift shift confirmed for Monday");
        HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(stack.url("gateway").resolve("/v1/chat"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"Confirm\"}],"
                        + "\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = r.body().filter(l -> l.startsWith("event: ") || l.startsWith("data: ")).toList();
        assertThat(events.stream().filter(l -> l.startsWith("event: ")))
                .containsExactly("event: start", "event: delta", "event: delta", "event: delta", "event: delta", "event: delta",
                        "event: done");
        assertThat(events.get(3)).isEqualTo("data: {\"content\":\"Forklift \"}");
        assertThat(events.get(events.size() - 1)).contains("\"finish_reason\":\"stop\"", "\"total_tokens\":43");
    }

    @Test
    @Order(2)
    void iterate_correctsAFill_throughTheRealChatd_andObservesEveryAttempt() throws Exception {
        SCRIPT.add("{\"worker_ids\":[\"W000010\",\"W999999\"]}");
        SCRIPT.add("{\"worker_ids\":[\"W000010\"]}");
        ollama.calls().clear();
        HttpResponse<String> r = post(stack.url("gateway"), "/v1/iterate", iterateFill());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.path("valid").asBoolean()).isTrue();
        assertThat(body.path("attempts")).hasSize(2);
        assertThat(body.path("attempts").get(0).path("violations")).extracting(v -> v.path("rule").asText())
                .containsExactly("phantom_worker", "over_headcount");
        assertThat(body.path("provider").asText() + "/" + body.path("model").asText()).isEqualTo("ollama/qwen2.5:7b");
        assertThat(ollama.calls()).hasSize(2);
        assertThat(ollama.calls().get(1).path("messages").get(3).path("content").asText()).contains("phantom_worker");

        String iteration = body.path("iteration_id").asText();
        List<JsonNode> attempts = awaitEvents("iterate.attempt", iteration, 2);
        assertThat(attempts).extracting(e -> e.path("payload").path("n").asInt()).containsExactly(1, 2);
        assertThat(attempts.get(0).path("payload").path("valid").asBoolean()).isFalse();
        assertThat(attempts.get(1).path("payload").path("valid").asBoolean()).isTrue();
        assertThat(attempts.get(1).path("payload").path("prompt").size()).isEqualTo(4);
        assertThat(awaitEvents("chat.call", "W999999", 1)).as("chatd observed the call with its output").isNotEmpty();
    }

    @Test
    @Order(3)
    void chatdKilled_iterateIs503NamingChatd_validateGoesOn_andARestartHeals() throws Exception {
        ManagedDaemon chatd = stack.daemon("chatd");
        assertThat(chatd.kill9()).isEqualTo(137);
        HttpResponse<String> down = post(stack.url("validatord"), "/v1/iterate", iterateFill());
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode problem = Json.mapper().readTree(down.body());
        assertThat(problem.path("peer").asText()).isEqualTo("chatd");
        HttpResponse<String> validate = post(stack.url("validatord"), "/v1/validate",
                "{\"kind\":\"fill\",\"fill\":{\"order\":{\"role\":\"" + worker.path("role").asText() + "\",\"lat\":"
                        + worker.path("lat").asDouble() + ",\"lon\":" + worker.path("lon").asDouble()
                        + ",\"radius_miles\":10,\"headcount\":1},\"worker_ids\":[\"W000010\"]}}");
        assertThat(validate.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(validate.body()).path("valid").asBoolean()).isTrue();

        chatd.start(Stack.READY_TIMEOUT);
        SCRIPT.add("{\"worker_ids\":[\"W000010\"]}");
        HttpResponse<String> healed = null;
        for (int i = 0; i < 50; i++) {   // validatord's breaker for chatd may still be open for a few seconds
            healed = post(stack.url("validatord"), "/v1/iterate", iterateFill());
            if (healed.statusCode() == 200) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(healed.statusCode()).as(healed.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(healed.body()).path("valid").asBoolean()).isTrue();
    }

    /**
     * The spend ledger as the stack runs it: an iterate through the gateway is charged, in chatd, to the caller the gateway
     * named and the route it came by (validatord passes both on); then chatd killed with -9 under concurrent calls keeps
     * the cost of every call whose answer was sent (its line was fsynced first), invents none the provider did not
     * answer, and rebuilds the budget's spend from the ledger exactly.
     */
    @Test
    @Order(4)
    void spend_isChargedToTheCallerThroughEveryDaemon_andSurvivesKill9() throws Exception {
        URI gateway = stack.url("gateway");
        SCRIPT.add("{\"worker_ids\":[\"W000010\"]}");
        assertThat(post(gateway, "/v1/iterate", iterateFill()).statusCode()).isEqualTo(200);
        JsonNode byRoute = Json.mapper().readTree(get(gateway, "/v1/spend?key=anonymous&group_by=route").body());
        assertThat(byRoute.path("groups").findValuesAsText("group")).contains("/v1/iterate");

        int before = ollama.calls().size();
        long ledgeredBefore = chatCalls(Json.mapper().readTree(get(gateway, "/v1/spend?key=anonymous&group_by=route").body()));
        java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        String chat = "{\"model\":\"ollama/qwen2.5:7b\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        List<Thread> callers = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
            callers.add(Thread.ofPlatform().start(() -> {
                while (!killed.get()) {
                    try {
                        if (post(gateway, "/v1/chat", chat).statusCode() == 200) {
                            acked.incrementAndGet();
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }));
        }
        Thread.sleep(1500);
        ManagedDaemon chatd = stack.daemon("chatd");
        assertThat(chatd.kill9()).isEqualTo(137);
        killed.set(true);
        for (Thread t : callers) {
            t.join();
        }
        int answeredByTheProvider = ollama.calls().size() - before;
        chatd.start(Stack.READY_TIMEOUT);
        JsonNode after = Json.mapper().readTree(get(stack.url("chatd"), "/v1/spend?key=anonymous&group_by=route").body());
        long ledgered = chatCalls(after) - ledgeredBefore;   // the earlier tests' chats are in the ledger too
        System.out.printf("spend kill -9: %d answers sent, %d calls in the ledger after the restart, %d calls the provider had%n",
                acked.get(), ledgered, answeredByTheProvider);
        assertThat(acked.get()).as("calls answered before the kill").isPositive();
        assertThat(ledgered).as("every answered call's cost is in the ledger").isGreaterThanOrEqualTo(acked.get());
        assertThat(ledgered).as("and no call the provider never had").isLessThanOrEqualTo(answeredByTheProvider);
        JsonNode total = after.path("total");
        assertThat(after.path("budgets").get(0).path("spent_tokens").asLong()).as("the budget's spend, rebuilt from the ledger")
                .isEqualTo(total.path("input_tokens").asLong() + total.path("output_tokens").asLong());
    }

    /** The calls the spend report counts for the route /v1/chat. */
    static long chatCalls(JsonNode report) {
        for (JsonNode g : report.path("groups")) {
            if (g.path("group").asText().equals("/v1/chat")) {
                return g.path("calls").asLong();
            }
        }
        return 0;
    }

    /** Polls observerd until {@code count} events of {@code kind} whose text contains {@code marker} are there. */
    static List<JsonNode> awaitEvents(String kind, String marker, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonNode> found = List.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(stack.url("observerd"), "/v1/observe/events?kind=" + kind + "&limit=1000");
            found = r.body().lines().filter(l -> l.contains(marker)).map(l -> {
                try {
                    return Json.mapper().readTree(l);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("only " + found.size() + " " + kind + " events with " + marker);
    }
}
