package dev.lakehouse.chatd;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * chatd's figures, per provider and model: attempts by outcome, errors by kind,
 * latency, time to first token, tokens in and out, cooldowns started. Model names
 * come from callers, so at most {@value #MAX_MODELS} distinct ones get their own
 * tag; later ones are counted as {@code other}.
 */
final class ChatMetrics {
    static final int MAX_MODELS = 200;

    private final MeterRegistry registry;
    private final Set<String> models = ConcurrentHashMap.newKeySet();

    ChatMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void attempt(Chat.Target t, String outcome, String errorKind, long nanos) {
        String model = model(t.model());
        Counter.builder("chatd.requests").description("provider calls, by outcome (ok, error, cancelled)")
                .tags("provider", t.provider(), "model", model, "outcome", outcome).register(registry).increment();
        if (errorKind != null) {
            Counter.builder("chatd.errors").description("failed provider calls, by kind")
                    .tags("provider", t.provider(), "model", model, "kind", errorKind).register(registry).increment();
        }
        Timer.builder("chatd.latency").description("provider call latency, to the end of the answer")
                .tags("provider", t.provider(), "model", model).publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void skipped(Chat.Target t, String reason) {
        Counter.builder("chatd.skipped").description("targets skipped without a call (no_key, cooling_down, retry_after_too_long)")
                .tags("provider", t.provider(), "reason", reason).register(registry).increment();
    }

    void firstToken(Chat.Target t, long nanos) {
        Timer.builder("chatd.ttft").description("time to first token of streamed answers")
                .tags("provider", t.provider(), "model", model(t.model())).publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void tokens(Chat.Target t, Chat.Usage usage) {
        if (usage == null) {
            return;
        }
        String model = model(t.model());
        Counter.builder("chatd.tokens").description("tokens as the provider reported them").baseUnit("tokens")
                .tags("provider", t.provider(), "model", model, "direction", "in").register(registry)
                .increment(usage.promptTokens());
        Counter.builder("chatd.tokens").description("tokens as the provider reported them").baseUnit("tokens")
                .tags("provider", t.provider(), "model", model, "direction", "out").register(registry)
                .increment(usage.completionTokens());
    }

    void cooldown(String provider) {
        Counter.builder("chatd.cooldowns").description("cooldowns started").tags("provider", provider)
                .register(registry).increment();
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
