package dev.lakehouse.chatd;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * chatd's figures, per provider and model: attempts by outcome, errors by kind,
 * latency, time to first token, tokens in and out, cooldowns started. Model names
 * come from callers, so at most {@value #MAX_MODELS} distinct ones get their own
 * tag; later ones are counted as {@code other}. Meters are built once per tag set
 * and kept: Micrometer's builder-and-register is too slow for every call.
 */
final class ChatMetrics {
    static final int MAX_MODELS = 200;

    private final MeterRegistry registry;
    private final Set<String> models = ConcurrentHashMap.newKeySet();
    private final Map<String, Meter> meters = new ConcurrentHashMap<>();

    ChatMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void attempt(Chat.Target t, String outcome, String errorKind, long nanos) {
        String model = model(t.model());
        counter("chatd.requests", "provider calls, by outcome (ok, error, cancelled)",
                "provider", t.provider(), "model", model, "outcome", outcome).increment();
        if (errorKind != null) {
            counter("chatd.errors", "failed provider calls, by kind", "provider", t.provider(), "model", model,
                    "kind", errorKind).increment();
        }
        timer("chatd.latency", "provider call latency, to the end of the answer", t.provider(), model)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void skipped(Chat.Target t, String reason) {
        counter("chatd.skipped", "targets skipped without a call (no_key, cooling_down, retry_after_too_long)",
                "provider", t.provider(), "reason", reason).increment();
    }

    void firstToken(Chat.Target t, long nanos) {
        timer("chatd.ttft", "time to first token of streamed answers", t.provider(), model(t.model()))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void tokens(Chat.Target t, Chat.Usage usage) {
        if (usage == null) {
            return;
        }
        String model = model(t.model());
        counter("chatd.tokens", "tokens as the provider reported them", "provider", t.provider(), "model", model,
                "direction", "in").increment(usage.promptTokens());
        counter("chatd.tokens", "tokens as the provider reported them", "provider", t.provider(), "model", model,
                "direction", "out").increment(usage.completionTokens());
    }

    void cooldown(String provider) {
        counter("chatd.cooldowns", "cooldowns started", "provider", provider).increment();
    }

    private Counter counter(String name, String description, String... tags) {
        return (Counter) meter(name, tags, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private Timer timer(String name, String description, String provider, String model) {
        String[] tags = {"provider", provider, "model", model};
        return (Timer) meter(name, tags, k -> Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram().register(registry));
    }

    private Meter meter(String name, String[] tags, Function<String, Meter> create) {
        return meters.computeIfAbsent(name + '|' + String.join("|", tags), create);
    }

    private String model(String model) {
        if (models.contains(model)) {
            return model;
        }
        if (models.size() < MAX_MODELS) {
            models.add(model);
            return model;
        }
        return "other";
    }
}
