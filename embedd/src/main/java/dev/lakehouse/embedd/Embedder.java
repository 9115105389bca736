package dev.lakehouse.embedd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * Embeds texts with a model, through a Caffeine cache keyed by (model, text).
 *
 * <p>The cache is an {@link AsyncCache} bounded by bytes (a weigher counts the
 * vector, its encoded JSON and the text). A request asks for all its distinct
 * keys at once with {@code getAll}: Caffeine returns the present ones, joins
 * any in-flight load of a key another request already started (so concurrent
 * misses for the same key make one upstream call), and hands the remaining
 * misses to one loader call — one upstream batch per request. A failed load is
 * not cached.
 *
 * <p>Routing: {@value LocalProvider#MODEL} goes to the in-process model; every other
 * model to Ollama (when configured), which answers 404 for models it lacks.
 */
final class Embedder {
    /** Caffeine logs every failed load with a stack trace; the kit already reports it once, as a problem. */
    private static final java.util.logging.Logger CAFFEINE_LOG =
            java.util.logging.Logger.getLogger("com.github.benmanes.caffeine.cache.LocalAsyncCache");

    /** Call after logging is installed (it resets logger levels). */
    static void quietCacheLoadWarnings() {
        CAFFEINE_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    record Key(String model, String text) {
    }

    /** Drops every cached vector whose text names the person (any model); returns how many. Linear in the cache. */
    int erase(dev.lakehouse.common.SubjectIdentifiers subject) {
        var map = cache.synchronous().asMap();
        int n = 0;
        for (Key k : List.copyOf(map.keySet())) {
            if (subject.matches(k.text()) && map.remove(k) != null) {
                n++;
            }
        }
        return n;
    }

    /** The vectors of one request, in input order, and how many came from the cache. */
    record Result(String model, String provider, int dims, List<CachedVector> vectors, int cacheHits) {
    }

    private final EmbeddConfig config;
    private final LocalProvider local;
    private final OllamaProvider ollama;
    private final AsyncCache<Key, CachedVector> cache;
    private final Map<String, Integer> dimsByModel = new ConcurrentHashMap<>();
    private final Meters meters;

    Embedder(EmbeddConfig config, LocalProvider local, OllamaProvider ollama, MeterRegistry registry) {
        this.config = config;
        this.local = local;
        this.ollama = ollama;
        this.meters = new Meters(registry);
        Caffeine<Key, CachedVector> builder = Caffeine.newBuilder()
                .maximumWeight(config.cacheMaxBytes())
                .weigher((Key k, CachedVector v) -> v.weight() + 2 * k.text().length() + 2 * k.model().length())
                .executor(Runnable::run)
                .recordStats();
        if (!config.cacheTtl().isZero()) {
            builder.expireAfterWrite(config.cacheTtl().toNanos(), TimeUnit.NANOSECONDS);
        }
        this.cache = builder.buildAsync();
        CaffeineCacheMetrics.monitor(registry, cache, "embeddings");
        registry.gauge("embedd.cache.weight.bytes", cache, c -> c.synchronous().policy().eviction()
                .flatMap(e -> e.weightedSize().stream().boxed().findFirst()).orElse(0L));
        if (local != null) {
            dimsByModel.put(LocalProvider.MODEL, LocalProvider.DIMS);
        }
    }

    /** Models known now: the local one, and every model Ollama has answered for (with its dims). */
    Map<String, Integer> knownModels() {
        return Map.copyOf(dimsByModel);
    }

    Provider providerFor(String model) {
        if (LocalProvider.MODEL.equals(model) && local != null) {
            return local;
        }
        if (ollama != null && !LocalProvider.MODEL.equals(model)) {
            return ollama;
        }
        throw new ApiException.NotFound("unknown_model", "model '" + model + "' is not served here; models: "
                + (local != null ? LocalProvider.MODEL : "(local model disabled)")
                + (ollama != null ? " and any model of Ollama at " + ollama.base() : " (Ollama disabled)"));
    }

    /** Checks the inputs against the limits; the detail names the offending input. */
    void checkLimits(List<String> inputs) {
        if (inputs.size() > config.maxInputs()) {
            throw new ApiException.BadRequest("too_many_inputs", "input has " + inputs.size()
                    + " items; the limit is " + config.maxInputs() + " per request");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).length() > config.maxInputChars()) {
                throw new ApiException.BadRequest("input_too_long", "input[" + i + "] is " + inputs.get(i).length()
                        + " characters; the limit is " + config.maxInputChars());
            }
        }
    }

    /** Embeds {@code inputs} with {@code model}, or with {@code EMBEDD_DEFAULT_MODEL} when it is null. */
    Result embed(String asked, List<String> inputs) {
        String model = asked == null ? config.defaultModel() : asked;
        checkLimits(inputs);
        Provider provider = providerFor(model);
        Set<Key> keys = new LinkedHashSet<>(inputs.size() * 2);
        for (String text : inputs) {
            keys.add(new Key(model, text));
        }
        int[] loaded = {0};
        Map<Key, CachedVector> found;
        try {
            found = cache.getAll(keys, (Set<? extends Key> missing, Executor executor) -> {
                loaded[0] = missing.size();
                return CompletableFuture.completedFuture(load(provider, model, missing));
            }).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
        List<CachedVector> vectors = new ArrayList<>(inputs.size());
        for (String text : inputs) {
            vectors.add(found.get(new Key(model, text)));
        }
        int dims = vectors.get(0).vector().length;
        return new Result(model, provider.name(), dims, vectors, inputs.size() - loaded[0]);
    }

    /** One upstream batch for the keys nobody else is loading; runs on the caller's thread. */
    private Map<Key, CachedVector> load(Provider provider, String model, Set<? extends Key> missing) {
        List<Key> ordered = new ArrayList<>(missing);
        List<String> texts = new ArrayList<>(ordered.size());
        ordered.forEach(k -> texts.add(k.text()));
        long start = System.nanoTime();
        List<float[]> vectors;
        try {
            vectors = provider.embed(model, texts);
        } catch (ApiException e) {
            meters.counter("embedd.upstream.errors", "failed upstream batches, by error code",
                    "provider", provider.name(), "code", e.code()).increment();
            throw e;
        } finally {
            meters.timer("embedd.upstream.requests", "one upstream batch", b -> b, "provider", provider.name(), "model", model)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        }
        Map<Key, CachedVector> out = new HashMap<>(ordered.size() * 2);
        for (int i = 0; i < ordered.size(); i++) {
            out.put(ordered.get(i), CachedVector.of(vectors.get(i)));
        }
        meters.counter("embedd.upstream.texts", "texts embedded upstream", "provider", provider.name()).increment(texts.size());
        dimsByModel.putIfAbsent(model, vectors.get(0).length);
        return out;
    }
}
