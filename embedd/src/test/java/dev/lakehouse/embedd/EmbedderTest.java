package dev.lakehouse.embedd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.lakehouse.common.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache, batching, single-flight and Ollama error mapping, with the production Ollama client against a fake Ollama. */
class EmbedderTest {
    static FakeOllama ollama;

    @BeforeAll
    static void start() {
        ollama = new FakeOllama();
    }

    @AfterAll
    static void stop() {
        ollama.close();
    }

    @BeforeEach
    void reset() {
        ollama.reset();
    }

    static EmbeddConfig config(long cacheBytes, Duration timeout) {
        return new EmbeddConfig(LocalProvider.MODEL, Optional.of(URI.create("http://unused")), timeout, false, 1, 1,
                cacheBytes, Duration.ZERO, 256, 32_768);
    }

    static Embedder embedder(URI ollamaUrl, long cacheBytes, Duration timeout) {
        return new Embedder(config(cacheBytes, timeout), null, new OllamaProvider(ollamaUrl, timeout), new SimpleMeterRegistry());
    }

    Embedder embedder() {
        return embedder(ollama.url(), 64L << 20, Duration.ofSeconds(2));
    }

    @Test
    void misses_ofOneRequest_goUpstreamAsOneBatch_thenHit() {
        Embedder e = embedder();
        Embedder.Result first = e.embed("nomic-embed-text", List.of("a", "b", "c", "a"));
        assertThat(ollama.callCount.get()).isEqualTo(1);
        assertThat(ollama.calls.get(0)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(first.provider()).isEqualTo("ollama");
        assertThat(first.dims()).isEqualTo(768);
        assertThat(first.vectors().get(0).vector()).isEqualTo(first.vectors().get(3).vector());
        assertThat(first.vectors().get(1).vector()).isEqualTo(FakeOllama.vector("b", 768));

        Embedder.Result second = e.embed("nomic-embed-text", List.of("b", "d", "a"));
        assertThat(second.cacheHits()).isEqualTo(2);
        assertThat(ollama.calls.get(1)).containsExactly("d");
        Embedder.Result third = e.embed("nomic-embed-text", List.of("a", "b", "c", "d"));
        assertThat(third.cacheHits()).isEqualTo(4);
        assertThat(ollama.callCount.get()).isEqualTo(2);
    }

    @Test
    void cacheKey_includesTheModel() {
        Embedder e = embedder();
        e.embed("model-a", List.of("same text"));
        e.embed("model-b", List.of("same text"));
        assertThat(ollama.callCount.get()).isEqualTo(2);
    }

    @Test
    void concurrentIdenticalMisses_makeOneUpstreamCall() throws Exception {
        Embedder e = embedder();
        ollama.gate = new CountDownLatch(1);
        List<Future<Embedder.Result>> results = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> e.embed("nomic-embed-text", List.of("the same sentence"))));
            }
            while (ollama.callCount.get() < 1) {
                Thread.onSpinWait();
            }
            Thread.sleep(200);   // give the other 19 time to arrive and find the load in flight
            ollama.gate.countDown();
            for (Future<Embedder.Result> f : results) {
                assertThat(f.get().vectors().get(0).vector()).isEqualTo(FakeOllama.vector("the same sentence", 768));
            }
        }
        assertThat(ollama.callCount.get()).isEqualTo(1);
    }

    @Test
    void vectors_areReturnedExactlyAsTheProviderProducedThem() throws Exception {
        Embedder e = embedder();
        CachedVector v = e.embed("nomic-embed-text", List.of("exact")).vectors().get(0);
        String json = v.json().rawValue().toString();
        float[] decoded = dev.lakehouse.common.Json.mapper().readValue(json, float[].class);
        assertThat(decoded).isEqualTo(FakeOllama.vector("exact", 768));
    }

    @Test
    void cache_isBoundedByBytes() {
        Embedder e = embedder(ollama.url(), 100_000, Duration.ofSeconds(2));   // room for ~10 vectors of 768 floats
        for (int i = 0; i < 100; i++) {
            e.embed("nomic-embed-text", List.of("text " + i));
        }
        ollama.reset();
        e.embed("nomic-embed-text", List.of("text 0"));
        assertThat(ollama.callCount.get()).as("evicted, so fetched again").isEqualTo(1);
    }

    @Test
    void unknownModel_is404NamingIt() {
        assertThatThrownBy(() -> embedder().embed("missing", List.of("x")))
                .isInstanceOfSatisfying(ApiException.NotFound.class, ex -> {
                    assertThat(ex.code()).isEqualTo("unknown_model");
                    assertThat(ex.detail()).contains("'missing'").contains("not found");
                });
    }

    @Test
    void ollamaErrors_becomeProblemsNamingOllama() {
        Embedder e = embedder();
        assertThatThrownBy(() -> e.embed("llama3", List.of("x")))
                .isInstanceOfSatisfying(ApiException.BadRequest.class, ex -> assertThat(ex.code()).isEqualTo("provider_rejected"));
        ollama.mode = FakeOllama.Mode.FAIL_500;
        assertThatThrownBy(() -> e.embed("m", List.of("x500")))
                .isInstanceOfSatisfying(ApiException.UpstreamFailed.class, ex -> {
                    assertThat(ex.status()).isEqualTo(502);
                    assertThat(ex.peer()).isEqualTo("ollama");
                    assertThat(ex.detail()).contains("llama runner process has terminated");
                });
        ollama.mode = FakeOllama.Mode.FAIL_503;
        assertThatThrownBy(() -> e.embed("m", List.of("x503")))
                .isInstanceOfSatisfying(ApiException.Unavailable.class, ex -> assertThat(ex.code()).isEqualTo("provider_unavailable"));
        ollama.mode = FakeOllama.Mode.RATE_LIMITED;
        assertThatThrownBy(() -> e.embed("m", List.of("x429")))
                .isInstanceOfSatisfying(ApiException.Unavailable.class, ex -> {
                    assertThat(ex.code()).isEqualTo("provider_busy");
                    assertThat(ex.headers()).containsKey("Retry-After");
                });
        ollama.mode = FakeOllama.Mode.GARBAGE;
        assertThatThrownBy(() -> e.embed("m", List.of("xg")))
                .isInstanceOfSatisfying(ApiException.UpstreamFailed.class, ex -> assertThat(ex.code()).isEqualTo("provider_error"));
        ollama.mode = FakeOllama.Mode.OK;
        assertThat(e.embed("m", List.of("x500")).vectors()).hasSize(1).as("a failed load is not cached");
    }

    @Test
    void ollamaTimeout_is504() {
        ollama.mode = FakeOllama.Mode.SLOW;
        Embedder e = embedder(ollama.url(), 1 << 20, Duration.ofMillis(300));
        assertThatThrownBy(() -> e.embed("m", List.of("slow")))
                .isInstanceOfSatisfying(ApiException.UpstreamFailed.class, ex -> {
                    assertThat(ex.status()).isEqualTo(504);
                    assertThat(ex.peer()).isEqualTo("ollama");
                });
    }

    @Test
    void ollamaDown_is503NamingOllamaAndTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Embedder e = embedder(URI.create("http://127.0.0.1:" + port), 1 << 20, Duration.ofSeconds(1));
        assertThatThrownBy(() -> e.embed("m", List.of("x")))
                .isInstanceOfSatisfying(ApiException.Unavailable.class, ex -> {
                    assertThat(ex.peer()).isEqualTo("ollama");
                    assertThat(ex.detail()).contains("http://127.0.0.1:" + port);
                });
    }

    @Test
    void limits_nameTheOffendingInput() {
        Embedder e = embedder();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            many.add("t" + i);
        }
        assertThatThrownBy(() -> e.embed("m", many)).isInstanceOfSatisfying(ApiException.BadRequest.class,
                ex -> assertThat(ex.code()).isEqualTo("too_many_inputs"));
        assertThatThrownBy(() -> e.embed("m", List.of("ok", "x".repeat(32_769)))).isInstanceOfSatisfying(ApiException.BadRequest.class,
                ex -> {
                    assertThat(ex.code()).isEqualTo("input_too_long");
                    assertThat(ex.detail()).startsWith("input[1]");
                });
        assertThat(ollama.callCount.get()).isZero();
    }
}
