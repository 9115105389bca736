package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The observation client against an in-process stand-in for observerd that can be made to fail. */
class ObserverTest {
    enum Mode { OK, FAIL }

    static DaemonServer fake;
    static final AtomicReference<Mode> MODE = new AtomicReference<>(Mode.OK);
    static final Map<String, Integer> RECEIVED = new ConcurrentHashMap<>();   // event_id -> times received
    static final Set<Integer> PAYLOADS = ConcurrentHashMap.newKeySet();
    static final AtomicInteger POSTS = new AtomicInteger();

    @TempDir
    Path dir;
    SimpleMeterRegistry registry;
    Observer observer;

    @BeforeAll
    static void startFake() {
        fake = DaemonServer.builder("fakeobserverd", EnvConfig.of(Map.of("LAKEHOUSE_FAKEOBSERVERD_PORT", "0")), 0)
                .embedded()
                .routing(r -> r.post("/v1/observe/events", (req, res) -> {
                    POSTS.incrementAndGet();
                    if (MODE.get() == Mode.FAIL) {
                        throw new ApiException.Unavailable("storage_failed", "disk trouble");
                    }
                    JsonNode body = Json.mapper().readTree(req.content().inputStream());
                    int accepted = 0;
                    for (JsonNode e : body.path("events")) {
                        if (RECEIVED.merge(e.path("event_id").asText(), 1, Integer::sum) == 1) {
                            accepted++;
                        }
                        PAYLOADS.add(e.path("payload").path("i").asInt());
                    }
                    Json.send(res, 202, Map.of("accepted", accepted));
                }))
                .start();
    }

    @AfterAll
    static void stopFake() {
        fake.stop();
    }

    @BeforeEach
    void reset() {
        MODE.set(Mode.OK);
        RECEIVED.clear();
        PAYLOADS.clear();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void close() {
        if (observer != null) {
            observer.close();
        }
    }

    Observer open(int queueCapacity) {
        PeerClient client = new PeerClient("observerd", URI.create("http://127.0.0.1:" + fake.port()),
                new PeerClient.Options(Duration.ofMillis(500), Duration.ofSeconds(2), 0, Duration.ZERO, 1000, Duration.ofMillis(10)));
        observer = new Observer("testd", client, dir, queueCapacity, Duration.ofMillis(200), registry);
        return observer;
    }

    double count(String outcome) {
        return registry.get("observer.events").tag("outcome", outcome).counter().count();
    }

    void observe(int from, int to) {
        for (int i = from; i < to; i++) {
            observer.observe("test.event", Map.of("i", i));
        }
    }

    static void awaitPayloads(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (PAYLOADS.size() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(PAYLOADS).hasSize(n);
    }

    /** The fake records a batch before its answer reaches the observer, which counts it after: wait for the count. */
    void awaitCount(String outcome, double atLeast) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (count(outcome) < atLeast && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(count(outcome)).as(outcome).isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    void events_areDeliveredInBatches_exactlyOnce() throws Exception {
        open(10_000);
        POSTS.set(0);
        observe(0, 250);
        awaitPayloads(250);
        assertThat(RECEIVED).hasSize(250).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
        awaitCount("sent", 250);
        assertThat(count("sent")).isEqualTo(250);
        assertThat(count("dropped")).isZero();
        assertThat(POSTS.get()).as("batched").isLessThan(250);
    }

    @Test
    void whileObserverdFails_eventsAreSpooled_thenReplayed() throws Exception {
        MODE.set(Mode.FAIL);
        open(10_000);
        observe(0, 300);
        awaitCount("spooled", 300);
        assertThat(Files.exists(dir.resolve("observer-spool.jsonl"))).isTrue();
        MODE.set(Mode.OK);
        observe(300, 350);
        awaitPayloads(350);
        assertThat(RECEIVED.values()).allMatch(times -> times == 1);
        awaitCount("replayed", 300);
        assertThat(count("dropped")).isZero();
        while (Files.exists(dir.resolve("observer-spool.jsonl"))) {
            Thread.sleep(20);
        }
    }

    @Test
    void fullQueue_spoolsInsteadOfBlocking_andNothingIsLost() throws Exception {
        MODE.set(Mode.FAIL);
        open(5);
        observe(0, 2_000);   // far more than the queue holds: the caller spools them itself
        MODE.set(Mode.OK);
        awaitPayloads(2_000);
        assertThat(count("dropped")).isZero();
        assertThat(RECEIVED.values()).allMatch(times -> times == 1);
    }

    @Test
    void spool_survivesTheDaemonsRestart() throws Exception {
        MODE.set(Mode.FAIL);
        open(10_000);
        observe(0, 120);
        observer.close();   // stop while observerd is failing: the queue goes to the spool, fsynced
        observer = null;
        assertThat(PAYLOADS).isEmpty();
        assertThat(Files.size(dir.resolve("observer-spool.jsonl"))).isPositive();
        MODE.set(Mode.OK);
        open(10_000);       // a new process of the same daemon: same data dir
        awaitPayloads(120);
        assertThat(RECEIVED.values()).allMatch(times -> times == 1);
    }

    @Test
    void tornSpoolLine_isSkipped_andTheRestIsDelivered() throws Exception {
        MODE.set(Mode.FAIL);
        open(10_000);
        observe(0, 10);
        observer.close();
        observer = null;
        Files.writeString(dir.resolve("observer-spool.jsonl"), "{\"event_id\":\"torn", java.nio.file.StandardOpenOption.APPEND);
        MODE.set(Mode.OK);
        open(10_000);
        awaitPayloads(10);
    }

    @Test
    void anInterruptedCaller_spoolsWithoutBreakingTheSpool() throws Exception {
        MODE.set(Mode.FAIL);
        open(1);   // a queue of one: callers spool directly
        Thread.currentThread().interrupt();
        try {
            observe(0, 50);
        } finally {
            Thread.interrupted();
        }
        observe(50, 60);
        MODE.set(Mode.OK);
        awaitPayloads(60);
        assertThat(count("dropped")).isZero();
    }

    @Test
    void observe_neverThrows_evenForAPayloadThatCannotBeEncoded() {
        open(10);
        Object cyclic = new Object() {
            public Object getSelf() {
                return this;
            }
        };
        observer.observe("test.event", cyclic);
        assertThat(count("dropped")).isEqualTo(1);
    }
}
