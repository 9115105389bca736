package dev.lakehouse.chatd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import dev.lakehouse.common.Meters;
import dev.lakehouse.common.Readiness;

/**
 * The provider {@code local}: GGUF models run in this process by llama.cpp
 * (docs/chatd.md, "The local provider"). Each model loads on a background thread at
 * start; until it is ready, or when it could not be, the provider is skipped with
 * the reason, as one without its key is, and the fallback chain goes on.
 * <p>
 * At most {@code CHATD_LOCAL_CONCURRENCY} generations run at once, each on a platform
 * thread of this provider's own (the binding blocks in native code, which would pin
 * the request's virtual-thread carrier); up to {@code CHATD_LOCAL_QUEUE} more wait,
 * each at most {@code CHATD_LOCAL_QUEUE_TIMEOUT}; past that the attempt fails
 * {@code busy}, and when no other target answers chatd says 503 with Retry-After. The
 * request's thread takes the tokens from a queue and writes them; when the caller
 * goes away, or a deadline passes, the generation is cancelled at its next token.
 */
final class LocalProvider implements Backend {
    private static final Logger LOG = Logger.getLogger(LocalProvider.class.getName());
    static final String NAME = "local";
    /** What a busy provider asks a caller to wait. */
    static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(2);
    /** Tokens asked when the request names no max_tokens. */
    static final int DEFAULT_MAX_TOKENS = 512;

    /**
     * The local provider's settings (docs/chatd.md), read by {@link ChatdConfig#local}.
     *
     * @param models       {@code CHATD_LOCAL_MODEL}: a GGUF file, or {@code name=file,name=file}, in their order; a bare file is named after it
     * @param context      {@code CHATD_LOCAL_CONTEXT}, tokens of context per request (default 2048)
     * @param threads      {@code CHATD_LOCAL_THREADS}, threads per generation (default: the cores)
     * @param concurrency  {@code CHATD_LOCAL_CONCURRENCY}, generations at once (default 1)
     * @param queue        {@code CHATD_LOCAL_QUEUE}, requests that may wait for one (default 8)
     * @param queueTimeout {@code CHATD_LOCAL_QUEUE_TIMEOUT}, how long one may wait (default 30s)
     * @param seed         {@code CHATD_LOCAL_SEED}, the sampler's seed (default -1: a new one each time)
     */
    record Settings(Map<String, Path> models, int context, int threads, int concurrency, int queue, Duration queueTimeout,
                    int seed) {
    }

    private sealed interface Event permits Delta, Done, Failed {
    }

    private record Delta(String text) implements Event {
    }

    private record Done(LocalModel.Result result) implements Event {
    }

    private record Failed(RuntimeException error) implements Event {
    }

    private final Settings local;
    private final Provider.Settings settings;
    private final Provider.Timeouts timeouts;
    private final Map<String, LocalModel> models = new LinkedHashMap<>();
    private final Semaphore running;
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.Set<AtomicBoolean> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService generators;
    private final Thread loader;
    private final Meters meters;

    LocalProvider(Settings local, Provider.Timeouts timeouts, Meters meters) {
        this.local = local;
        this.timeouts = timeouts;
        this.meters = meters;
        local.models().forEach((name, file) -> models.put(name, new LocalModel(name, file)));
        this.settings = new Provider.Settings(NAME, null, null, null, null, List.copyOf(models.keySet()), Map.of());
        this.running = new Semaphore(local.concurrency(), true);
        AtomicInteger n = new AtomicInteger();
        this.generators = Executors.newFixedThreadPool(local.concurrency(),
                r -> Thread.ofPlatform().daemon().name("chatd-local-" + n.getAndIncrement()).unstarted(r));
        meters.registry().gauge("chatd.local.waiting", waiting);
        meters.registry().gauge("chatd.local.running", running, s -> local.concurrency() - s.availablePermits());
        this.loader = Thread.ofPlatform().daemon().name("chatd-local-load").start(() -> {
            for (LocalModel m : models.values()) {
                m.load(local.context(), local.threads(), local.concurrency());
            }
        });
    }

    @Override
    public Provider.Settings settings() {
        return settings;
    }

    /** Readiness: names each model while it loads; not ready only while the default target's model loads. */
    Readiness readiness(String defaultModel) {
        return readiness(models, defaultModel);
    }

    static Readiness readiness(Map<String, LocalModel> models, String defaultModel) {
        List<String> loading = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        for (LocalModel m : models.values()) {
            if (m.state() == LocalModel.State.LOADING) {
                loading.add(m.name());
            } else if (m.state() == LocalModel.State.UNAVAILABLE) {
                unavailable.add(m.name() + " (" + m.reason() + ")");
            }
        }
        if (defaultModel != null && models.containsKey(defaultModel) && models.get(defaultModel).state() == LocalModel.State.LOADING) {
            return Readiness.down("loading " + defaultModel + ", the default model");
        }
        String detail = loading.isEmpty() && unavailable.isEmpty() ? "ok"
                : (loading.isEmpty() ? "" : "loading " + String.join(", ", loading)) + (loading.isEmpty() || unavailable.isEmpty() ? "" : "; ")
                + (unavailable.isEmpty() ? "" : "unavailable: " + String.join(", ", unavailable));
        return new Readiness(true, detail, false);
    }

    @Override
    public Optional<String> refusal(String model) {
        return models.containsKey(model) ? Optional.empty()
                : Optional.of("local has no model '" + model + "'; its models: " + String.join(", ", models.keySet())
                + " (CHATD_LOCAL_MODEL)");
    }

    @Override
    public Optional<Skip> unavailable(String model) {
        LocalModel m = models.get(model);
        if (m == null) {
            return Optional.of(new Skip("unknown_model", "local has no model '" + model + "'"));
        }
        return switch (m.state()) {
            case READY -> Optional.empty();
            case LOADING -> Optional.of(new Skip("model_loading", "local model " + model + " is still loading from " + m.file()));
            case UNAVAILABLE -> Optional.of(new Skip("model_unavailable", "local model " + model + " is unavailable: " + m.reason()));
        };
    }

    @Override
    public Map<String, Object> details() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LocalModel m : models.values()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", m.name());
            one.put("file", m.file().toString());
            one.put("state", m.state());
            if (m.reason() != null) {
                one.put("reason", m.reason());
            }
            out.add(one);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("context_size", local.context());
        d.put("concurrency", local.concurrency());
        d.put("queue", local.queue());
        d.put("local_models", out);
        return d;
    }

    @Override
    public Chat.Reply complete(Chat.Call call, String model) {
        return run(call, model, null, new long[1]);
    }

    @Override
    public Chat.Reply stream(Chat.Call call, String model, Provider.Listener listener, long[] firstDeltaNanos) {
        return run(call, model, listener, firstDeltaNanos);
    }

    private Chat.Reply run(Chat.Call call, String model, Provider.Listener listener, long[] firstDeltaNanos) {
        LocalModel m = models.get(model);
        Optional<Skip> skip = unavailable(model);
        if (skip.isPresent()) {
            throw new ProviderError(ProviderError.Kind.UNAVAILABLE, skip.get().why());
        }
        admit();
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();   // at most max_tokens + 1 items: linear in what was asked
        AtomicBoolean stop = new AtomicBoolean();
        active.add(stop);
        int maxTokens = call.maxTokens() == null ? DEFAULT_MAX_TOKENS : call.maxTokens();
        long start = System.nanoTime();
        try {
            generators.execute(() -> {
                try {
                    events.add(new Done(m.generate(call.messages(), call.temperature(), maxTokens, call.stop(), local.seed(),
                            text -> events.add(new Delta(text)), stop::get)));
                } catch (RuntimeException e) {
                    events.add(new Failed(e));
                } finally {
                    active.remove(stop);
                    running.release();
                }
            });
        } catch (RuntimeException e) {
            active.remove(stop);
            running.release();
            throw new ProviderError(ProviderError.Kind.UNAVAILABLE, "local could not start a generation: " + e.getMessage());
        }
        AtomicBoolean ended = new AtomicBoolean();
        try {
            return take(events, listener, firstDeltaNanos, start, ended);
        } finally {
            stop.set(true);
            if (!ended.get()) {   // left before the generation's end: the caller went away, or a deadline passed
                meters.counter("chatd.local.cancelled", "local generations stopped before their end (caller gone, deadline)")
                        .increment();
            }
        }
    }

    /** The tokens, as they come, until the generation ends; the deadlines are the HTTP providers'. */
    private Chat.Reply take(BlockingQueue<Event> events, Provider.Listener listener, long[] firstDeltaNanos, long start,
                            AtomicBoolean ended) throws ProviderError {
        StringBuilder content = new StringBuilder();
        long last = start;
        long heartbeat = timeouts.heartbeat().toNanos();
        while (true) {
            long now = System.nanoTime();
            boolean first = firstDeltaNanos[0] == 0;
            long limit = first ? timeouts.firstToken().toNanos() - (now - start) : timeouts.chunk().toNanos() - (now - last);
            long overall = (listener == null ? timeouts.request() : timeouts.streamMax()).toNanos() - (now - start);
            if (limit <= 0 || overall <= 0) {
                throw new ProviderError(ProviderError.Kind.TIMEOUT, overall <= 0 ? "local took longer than the whole answer's deadline"
                        : first ? "local gave no first token within " + timeouts.firstToken().toMillis() + " ms"
                        : "local gave no token within " + timeouts.chunk().toMillis() + " ms");
            }
            Event e;
            try {
                e = events.poll(Math.min(Math.min(limit, overall), listener == null ? Long.MAX_VALUE : heartbeat), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new ProviderError(ProviderError.Kind.UNAVAILABLE, "interrupted while local generated");
            }
            if (e == null) {
                if (listener != null && !first) {
                    listener.idle();
                }
                continue;
            }
            switch (e) {
                case Delta d -> {
                    if (firstDeltaNanos[0] == 0) {
                        firstDeltaNanos[0] = System.nanoTime();
                    }
                    last = System.nanoTime();
                    content.append(d.text());
                    if (listener != null) {
                        listener.delta(d.text());
                    }
                }
                case Done done -> {
                    ended.set(true);
                    LocalModel.Result r = done.result();
                    if (r.text().isEmpty() && r.completionTokens() == 0) {
                        throw new ProviderError(ProviderError.Kind.EMPTY, "local generated nothing");
                    }
                    return new Chat.Reply(r.text(), r.finishReason(), Chat.Usage.of(r.promptTokens(), r.completionTokens()));
                }
                case Failed f -> {
                    ended.set(true);
                    throw f.error() instanceof ProviderError refused ? refused
                        : new ProviderError(ProviderError.Kind.STREAM_ERROR, null, null, "llama.cpp failed: " + f.error().getMessage(), f.error());
                }
            }
        }
    }

    /** A place among the running generations, after a bounded wait; else {@code busy}. */
    private void admit() {
        if (running.tryAcquire()) {
            return;
        }
        if (waiting.incrementAndGet() > local.queue()) {
            waiting.decrementAndGet();
            throw busy("its " + local.concurrency() + " generation(s) are running and " + local.queue()
                    + " request(s) wait (CHATD_LOCAL_CONCURRENCY, CHATD_LOCAL_QUEUE)");
        }
        try {
            if (!running.tryAcquire(local.queueTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy("no generation was free within " + local.queueTimeout().toMillis() + " ms (CHATD_LOCAL_QUEUE_TIMEOUT)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy("interrupted while waiting for a generation");
        } finally {
            waiting.decrementAndGet();
        }
    }

    private ProviderError busy(String why) {
        meters.counter("chatd.local.busy", "local requests refused: every generation running and the queue full").increment();
        return new ProviderError(ProviderError.Kind.BUSY, null, BUSY_RETRY_AFTER, "local is busy: " + why, null);
    }

    /** Stops: every generation told to stop and given a moment, then the models closed (the binding's native thread ends). */
    @Override
    public void close() {
        active.forEach(stop -> stop.set(true));
        generators.shutdown();
        try {
            loader.join(Duration.ofSeconds(30));
            if (!generators.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("local generations still running at stop; closing the models anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        models.values().forEach(LocalModel::close);
    }
}
