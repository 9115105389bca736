package dev.lakehouse.chatd;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Backoff;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Observer;

/**
 * The failure policy (docs/chatd.md): try the targets of a call in order — the
 * asked one, the request's fallbacks, the configured chain. A target whose
 * provider has no key, or is cooling down, is skipped without a call. A transient
 * failure (429, 5xx, timeout, broken connection, empty or malformed answer) is
 * retried with backoff — or after the provider's Retry-After, when it is not
 * longer than {@code retryAfterMax} — and counts towards the provider's
 * cooldown; a permanent one (auth, unknown model, rejected) moves on at once.
 * Once the first streamed byte has gone to the caller there is no retry: the
 * failure is surfaced to the caller ({@link StreamBroken}). Every call is
 * observed, prompts and output included.
 */
final class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    /** The output bound of a call without max_tokens made for a key without a budget: its usage is charged as reported. */
    private static final long UNBOUNDED = Long.MAX_VALUE / 4;

    /** Where a streamed answer goes. {@link #start} comes once, before the first delta. */
    interface Sink {
        void start(Chat.Target target);

        void delta(String text);

        /** The provider has been silent for a while: a chance to send a keep-alive (and to notice a caller gone). */
        void idle();
    }

    /** A streamed answer failed after its first byte reached the caller: nothing can be retried, it must be told. */
    static final class StreamBroken extends RuntimeException {
        final transient Chat.Target target;
        final transient List<Chat.Attempt> attempts;
        final ProviderError.Kind kind;

        StreamBroken(Chat.Target target, ProviderError cause, List<Chat.Attempt> attempts) {
            super(target.id() + " failed mid-stream: " + cause.getMessage(), cause);
            this.target = target;
            this.kind = cause.kind();
            this.attempts = List.copyOf(attempts);
        }
    }

    /** The caller went away while its answer streamed; the provider call has been cancelled. */
    static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("the caller closed the connection", cause);
        }
    }

    private final ChatdConfig config;
    private final Map<String, Backend> providers = new LinkedHashMap<>();
    private final Map<String, Cooldown> cooldowns = new LinkedHashMap<>();
    private final ChatMetrics metrics;
    private final Observer observer;
    private final Clock clock;
    private final Spend spend;
    private final ProviderProbe probe;

    Dispatcher(ChatdConfig config, ChatMetrics metrics, Observer observer, Clock clock, Spend spend) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.observer = observer;
        this.spend = spend;
        for (Provider.Settings s : config.providers()) {
            providers.put(s.name(), new Provider(s, config.timeouts()));
        }
        config.local().ifPresent(l -> providers.put(LocalProvider.NAME, new LocalProvider(l, config.timeouts(), metrics.meters())));
        for (String name : providers.keySet()) {
            cooldowns.put(name, new Cooldown(config.cooldownFailures(), config.cooldownWindow(), config.cooldown(), clock));
        }
        this.probe = new ProviderProbe(config.timeouts().connect(), clock);
    }

    Spend spend() {
        return spend;
    }

    ChatdConfig config() {
        return config;
    }

    /**
     * The target a caller named: {@code provider} + {@code model}, or {@code model} as
     * {@code provider/model}, or a bare model on the default provider, or nothing for
     * the default target. {@code field} prefixes error paths (e.g. {@code fallback[1].}).
     */
    Chat.Target resolve(String provider, String model, String field) {
        if (provider != null) {
            if (!providers.containsKey(provider)) {
                throw new ApiException.BadRequest("unknown_provider", field + "provider: unknown provider '" + provider
                        + "'; known: " + String.join(", ", providers.keySet()));
            }
            if (model == null || model.isBlank()) {
                throw new FieldError(field + "model", "missing_field", "is required when provider is given");
            }
            return checked(new Chat.Target(provider, model), field);
        }
        if (model == null) {
            if (config.defaultTarget().model().isBlank()) {
                throw new FieldError(field + "model", "missing_field", "is required (no CHATD_DEFAULT_MODEL is set)");
            }
            return config.defaultTarget();
        }
        if (model.isBlank()) {
            throw new FieldError(field + "model", "invalid_field", "must not be blank");
        }
        int slash = model.indexOf('/');
        if (slash > 0 && providers.containsKey(model.substring(0, slash)) && slash < model.length() - 1) {
            return checked(new Chat.Target(model.substring(0, slash), model.substring(slash + 1)), field);
        }
        return checked(new Chat.Target(config.defaultTarget().provider(), model), field);
    }

    private Chat.Target checked(Chat.Target t, String field) {
        Optional<String> refusal = providers.get(t.provider()).refusal(t.model());
        if (refusal.isPresent()) {
            throw new ApiException.BadRequest("model_not_supported", field + "model: " + refusal.get());
        }
        return t;
    }

    /**
     * A call of {@code messages} on the asked target, then the request's fallbacks,
     * then the configured chain, each target once. Refuses more than
     * {@code CHATD_MAX_MESSAGES} messages.
     */
    Chat.Call call(List<Chat.Message> messages, Double temperature, Integer maxTokens, List<String> stop, Chat.Target first,
                   List<Chat.Target> fallback) {
        if (messages.size() > config.maxMessages()) {
            throw new ApiException.BadRequest("too_many_messages", "messages: " + messages.size() + " messages; at most "
                    + config.maxMessages() + " (CHATD_MAX_MESSAGES)");
        }
        LinkedHashSet<Chat.Target> chain = new LinkedHashSet<>();
        chain.add(first);
        chain.addAll(fallback);
        chain.addAll(config.defaultChain());
        if (maxTokens == null && spend.limited()) {   // a budgeted call's cost must be bounded before it is made
            maxTokens = config.budgetMaxTokens();
        }
        return new Chat.Call(messages, temperature, maxTokens, stop, List.copyOf(chain));
    }

    /**
     * Serves a call: a whole answer when {@code sink} is null, else a stream into it.
     * Throws an {@link ApiException} when no target answered (before any byte was sent),
     * {@link StreamBroken} after, {@link ClientGone} when the caller left.
     */
    Chat.Completion chat(Chat.Call call, String api, Sink sink) {
        long start = System.nanoTime();
        List<Chat.Attempt> attempts = new ArrayList<>();
        ProviderError last = null;
        Chat.Target lastTarget = null;
        boolean[] started = {false};
        long promptBytes = Spend.promptBytes(call.messages());
        long inputBound = Spend.inputBound(call.messages(), promptBytes);
        long outputBound = call.maxTokens() != null ? Math.max(0, call.maxTokens()) : UNBOUNDED;
        for (Chat.Target t : call.chain()) {
            Backend provider = providers.get(t.provider());
            Cooldown cooldown = cooldowns.get(t.provider());
            if (!provider.settings().hasKey()) {
                skip(attempts, t, "no_key", "no key: set " + provider.settings().keyEnv());
                continue;
            }
            Optional<Backend.Skip> unavailable = provider.unavailable(t.model());
            if (unavailable.isPresent()) {
                skip(attempts, t, unavailable.get().kind(), unavailable.get().why());
                continue;
            }
            for (int n = 1; ; n++) {
                Optional<Instant> until = cooldown.coolingUntil();
                if (until.isPresent()) {
                    skip(attempts, t, "cooling_down", "cooling down until " + until.get());
                    break;
                }
                Spend.Reservation reservation;
                try {
                    reservation = spend.reserve(t, inputBound, outputBound, api);
                } catch (ApiException refused) {
                    if (attempts.stream().noneMatch(a -> a.status() == Chat.Attempt.Status.OK || a.status() == Chat.Attempt.Status.ERROR)) {
                        observe(api, call, sink != null, "refused", null, attempts, refused.getMessage(), start);
                        throw refused;   // no provider has been called: the caller is told why, and nothing is spent
                    }
                    skip(attempts, t, refused.code(), refused.getMessage());
                    break;
                }
                long t0 = System.nanoTime();
                long[] firstDelta = {0};
                long[] streamed = {0};
                try {
                    Chat.Reply reply = sink == null ? provider.complete(call, t.model())
                            : provider.stream(call, t.model(), listener(t, sink, started, streamed), firstDelta);
                    try {
                        spend.settle(reservation, reply.usage(), reply.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                                promptBytes);   // durable before the answer's end is sent
                    } catch (ApiException unsettled) {
                        if (!started[0]) {
                            throw unsettled;   // nothing sent yet: the caller gets the problem (503 storage_failed)
                        }
                        // a stream whose cost cannot be made durable ends with an error event, never a silent end
                        StreamBroken broken = new StreamBroken(t, new ProviderError(ProviderError.Kind.STREAM_ERROR,
                                "the answer's cost could not be recorded (" + unsettled.code() + "): " + unsettled.detail()), attempts);
                        observe(api, call, true, "error", null, attempts, broken.getMessage(), start);
                        throw broken;
                    }
                    probe.called(t.provider(), null);
                    long took = System.nanoTime() - t0;
                    cooldown.success();
                    attempts.add(Chat.Attempt.ok(t, took / 1e6));
                    metrics.attempt(t, "ok", null, took);
                    metrics.tokens(t, reply.usage());
                    Double ttft = null;
                    if (firstDelta[0] != 0) {
                        metrics.firstToken(t, firstDelta[0] - t0);
                        ttft = Chat.round((firstDelta[0] - t0) / 1e6);
                    }
                    Chat.Completion done = new Chat.Completion(t, reply.content(), reply.finishReason(), reply.usage(),
                            Chat.round((System.nanoTime() - start) / 1e6), ttft, List.copyOf(attempts));
                    observe(api, call, sink != null, "ok", done, attempts, null, start);
                    return done;
                } catch (ProviderError e) {
                    long took = System.nanoTime() - t0;
                    probe.called(t.provider(), e);
                    if (started[0]) {
                        spend.settle(reservation, null, streamed[0], promptBytes);   // what was streamed was generated, and paid
                    } else {
                        spend.release(reservation);
                    }
                    attempts.add(Chat.Attempt.failed(t, e, took / 1e6));
                    metrics.attempt(t, "error", e.kind().code(), took);
                    if (e.isTransient() && cooldown.failure()) {
                        metrics.cooldown(t.provider());
                        LOG.warning(t.provider() + " failed " + config.cooldownFailures() + " times within "
                                + config.cooldownWindow() + ": cooling down for " + config.cooldown());
                    }
                    last = e;
                    lastTarget = t;
                    if (started[0]) {
                        StreamBroken broken = new StreamBroken(t, e, attempts);
                        observe(api, call, true, "error", null, attempts, broken.getMessage(), start);
                        throw broken;
                    }
                    if (!e.isTransient() || n > config.maxRetries()) {
                        break;
                    }
                    Duration wait = e.retryAfter() != null ? e.retryAfter() : backoff(n);
                    if (wait.compareTo(config.retryAfterMax()) > 0) {
                        skip(attempts, t, "retry_after_too_long", t.provider() + " asked to wait " + wait.toMillis()
                                + " ms, more than CHATD_RETRY_AFTER_MAX (" + config.retryAfterMax().toMillis() + " ms)");
                        break;
                    }
                    sleep(wait);
                } catch (ClientGone gone) {
                    long took = System.nanoTime() - t0;
                    spend.settle(reservation, null, streamed[0], promptBytes);
                    attempts.add(Chat.Attempt.cancelled(t, took / 1e6));
                    metrics.attempt(t, "cancelled", null, took);
                    observe(api, call, true, "cancelled", null, attempts, gone.getMessage(), start);
                    throw gone;
                } catch (RuntimeException other) {
                    spend.release(reservation);   // a no-op once settled
                    throw other;
                }
            }
        }
        ApiException failure = allFailed(attempts, last, lastTarget);
        observe(api, call, sink != null, "error", null, attempts, failure.getMessage(), start);
        throw failure;
    }

    private Provider.Listener listener(Chat.Target t, Sink sink, boolean[] started, long[] streamed) {
        return new Provider.Listener() {
            @Override
            public void delta(String text) {
                streamed[0] += text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                try {
                    if (!started[0]) {
                        sink.start(t);
                        started[0] = true;
                    }
                    sink.delta(text);
                } catch (UncheckedIOException e) {
                    throw new ClientGone(e);
                }
            }

            @Override
            public void idle() {
                try {
                    sink.idle();
                } catch (UncheckedIOException e) {
                    throw new ClientGone(e);
                }
            }
        };
    }

    private void skip(List<Chat.Attempt> attempts, Chat.Target t, String reason, String why) {
        attempts.add(Chat.Attempt.skipped(t, reason, why));
        metrics.skipped(t, reason);
    }

    private ApiException allFailed(List<Chat.Attempt> attempts, ProviderError last, Chat.Target lastTarget) {
        StringBuilder detail = new StringBuilder(last == null ? "no provider could be called: " : "every provider failed: ");
        for (int i = 0; i < attempts.size(); i++) {
            Chat.Attempt a = attempts.get(i);
            detail.append(i == 0 ? "" : "; ").append(a.provider()).append('/').append(a.model()).append(' ')
                    .append(a.status()).append(" (").append(a.error()).append(')');
        }
        List<Chat.Attempt> errors = attempts.stream().filter(a -> a.status() == Chat.Attempt.Status.ERROR).toList();
        ApiException e;
        if (last == null) {
            Optional<Instant> soonest = cooldowns.values().stream().flatMap(c -> c.coolingUntil().stream()).min(Instant::compareTo);
            Map<String, String> headers = soonest.map(at -> Map.of("Retry-After",
                    Backoff.retryAfter(Duration.between(clock.instant(), at)))).orElse(Map.of());
            e = new ApiException.Unavailable(null, "no_provider_available", detail.toString(), headers, null);
        } else if (errors.stream().allMatch(a -> a.errorKind().equals(ProviderError.Kind.BUSY.code()))) {
            e = new ApiException.Unavailable(lastTarget.provider(), "provider_busy", detail.toString(),
                    Map.of("Retry-After", Backoff.retryAfter(last.retryAfter() == null ? LocalProvider.BUSY_RETRY_AFTER : last.retryAfter())),
                    null);
        } else if (errors.stream().allMatch(a -> a.errorKind().equals(ProviderError.Kind.UNKNOWN_MODEL.code()))) {
            e = new ApiException.NotFound("unknown_model", detail.toString());
        } else if (errors.stream().allMatch(a -> a.errorKind().equals(ProviderError.Kind.REJECTED.code()))) {
            e = new ApiException.BadRequest("provider_rejected", detail.toString());
        } else if (errors.stream().allMatch(a -> a.errorKind().equals(ProviderError.Kind.CONNECTION.code()))) {
            e = new ApiException.Unavailable(lastTarget.provider(), "provider_unavailable", detail.toString(), Map.of(), null);
        } else if (last.kind() == ProviderError.Kind.TIMEOUT) {
            e = new ApiException.UpstreamFailed(lastTarget.provider(), true, "provider_timeout", detail.toString(), null);
        } else {
            e = new ApiException.UpstreamFailed(lastTarget.provider(), false, "all_providers_failed", detail.toString(), null);
        }
        return e.with("attempts", List.copyOf(attempts));
    }

    private Duration backoff(int retry) {
        return Backoff.jittered(config.retryBackoff(), retry);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable(null, "interrupted", "interrupted while waiting to retry", Map.of(), e);
        }
    }

    private void observe(String api, Chat.Call call, boolean stream, String status, Chat.Completion done,
                         List<Chat.Attempt> attempts, String error, long start) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("api", api);
        p.put("status", status);
        p.put("stream", stream);
        p.put("requested", call.chain().get(0).id());
        if (done != null) {
            p.put("provider", done.target().provider());
            p.put("model", done.target().model());
        }
        p.put("messages", call.messages());
        if (call.temperature() != null) {
            p.put("temperature", call.temperature());
        }
        if (call.maxTokens() != null) {
            p.put("max_tokens", call.maxTokens());
        }
        if (done != null) {
            p.put("output", done.content());
            p.put("finish_reason", done.finishReason());
            p.put("usage", done.usage());
            p.put("ttft_ms", done.ttftMs());
        }
        if (error != null) {
            p.put("error", error);
        }
        p.put("latency_ms", Chat.round((System.nanoTime() - start) / 1e6));
        p.put("attempts", List.copyOf(attempts));
        observer.observe("chat.call", p);
    }

    /** One provider as {@code GET /v1/providers} shows it; {@code local} adds its models' files, context and states. */
    record ProviderState(String name, String protocol, String baseUrl, State state, String coolingUntil, String keyEnv,
                         List<String> models, Map<String, String> refusedModelPrefixes,
                         @com.fasterxml.jackson.annotation.JsonAnyGetter Map<String, Object> details) {
        /** On the wire {@code ok}, {@code no_key}, {@code cooling_down}, {@code unreachable}, {@code loading}, {@code unavailable}. */
        enum State {
            OK, NO_KEY, COOLING_DOWN, UNREACHABLE, LOADING, UNAVAILABLE;

            @com.fasterxml.jackson.annotation.JsonValue
            @Override
            public String toString() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /**
     * Each provider's state for {@code GET /v1/providers}: a provider with a key whose last call could not reach it, or
     * whose probe cannot ({@link ProviderProbe}), is {@code unreachable}, with the error and when it was seen. The
     * probes run side by side, so the answer takes one connect timeout at most.
     */
    List<ProviderState> providerStates() {
        Map<String, java.util.concurrent.Future<ProviderProbe.Seen>> checks = new LinkedHashMap<>();
        var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        for (Backend p : providers.values()) {
            Provider.Settings s = p.settings();
            if (s.base() != null && s.hasKey()) {
                checks.put(s.name(), pool.submit(() -> probe.check(s.name(), s.base())));
            }
        }
        pool.shutdown();   // not waited for past the deadline below: a name lookup that hangs must not hang this answer
        long deadline = System.nanoTime() + config.timeouts().connect().toNanos() + 500_000_000L;
        List<ProviderState> out = new ArrayList<>();
        for (Backend p : providers.values()) {
            Provider.Settings s = p.settings();
            Optional<Instant> until = cooldowns.get(s.name()).coolingUntil();
            boolean anyModel = s.models().isEmpty() || s.models().stream().anyMatch(m -> p.unavailable(m).isEmpty());
            boolean loading = s.models().stream().anyMatch(m -> p.unavailable(m).map(k -> k.kind().equals("model_loading")).orElse(false));
            ProviderProbe.Seen seen = checks.containsKey(s.name()) ? probe.await(checks.get(s.name()), deadline) : null;
            ProviderState.State state = !s.hasKey() ? ProviderState.State.NO_KEY
                    : until.isPresent() ? ProviderState.State.COOLING_DOWN
                    : seen != null && !seen.reachable() ? ProviderState.State.UNREACHABLE
                    : anyModel ? ProviderState.State.OK : loading ? ProviderState.State.LOADING : ProviderState.State.UNAVAILABLE;
            Map<String, Object> details = new LinkedHashMap<>(p.details());
            if (seen != null) {
                details.put("checked_by", seen.how());
                details.put("checked_at", seen.at().toString());
                if (seen.error() != null) {
                    details.put("last_error", seen.error());
                }
            }
            out.add(new ProviderState(s.name(), s.protocol() == null ? "llama.cpp" : s.protocol().name(),
                    s.base() == null ? null : s.base().toString(), state,
                    until.map(Instant::toString).orElse(null), s.keyEnv(), models(s),
                    s.otherEndpoints().isEmpty() ? null : s.otherEndpoints(), details));
        }
        return out;
    }

    /** A provider's known models: its configured list, plus the default target's and chain's models on it. */
    List<String> models(Provider.Settings s) {
        LinkedHashSet<String> models = new LinkedHashSet<>(s.models());
        if (config.defaultTarget().provider().equals(s.name()) && !config.defaultTarget().model().isBlank()) {
            models.add(config.defaultTarget().model());
        }
        config.defaultChain().stream().filter(t -> t.provider().equals(s.name())).forEach(t -> models.add(t.model()));
        return List.copyOf(models);
    }

    List<Provider.Settings> providerSettings() {
        return providers.values().stream().map(Backend::settings).toList();
    }

    /** The local provider's readiness (chatd's /ready), if it has one. */
    Optional<dev.lakehouse.common.Readiness> localReadiness() {
        return providers.get(LocalProvider.NAME) instanceof LocalProvider l
                ? Optional.of(l.readiness(config.defaultTarget().provider().equals(LocalProvider.NAME) ? config.defaultTarget().model() : null))
                : Optional.empty();
    }

    /** Releases the providers' resources (the local models); at stop. */
    void close() {
        providers.values().forEach(Backend::close);
    }
}
