package dev.lakehouse.chatd;

import java.util.concurrent.TimeUnit;

import dev.lakehouse.common.Meters;
import io.micrometer.core.instrument.Timer;

/**
 * chatd's figures, per provider and model: attempts by outcome, errors by kind,
 * latency, time to first token, tokens in and out, cooldowns started. Model names
 * come from callers: {@link Meters} bounds their length and number (later ones are
 * counted as {@code other}).
 */
final class ChatMetrics {
    private final Meters meters;

    ChatMetrics(Meters meters) {
        this.meters = meters;
    }

    Meters meters() {
        return meters;
    }

    void attempt(Chat.Target t, String outcome, String errorKind, long nanos) {
        String model = t.model();
        meters.counter("chatd.requests", "provider calls, by outcome (ok, error, cancelled)",
                "provider", t.provider(), "model", model, "outcome", outcome).increment();
        if (errorKind != null) {
            meters.counter("chatd.errors", "failed provider calls, by kind", "provider", t.provider(), "model", model,
                    "kind", errorKind).increment();
        }
        timer("chatd.latency", "provider call latency, to the end of the answer", t.provider(), model)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void skipped(Chat.Target t, String reason) {
        meters.counter("chatd.skipped", "targets skipped without a call (no_key, cooling_down, retry_after_too_long)",
                "provider", t.provider(), "reason", reason).increment();
    }

    void firstToken(Chat.Target t, long nanos) {
        timer("chatd.ttft", "time to first token of streamed answers", t.provider(), t.model())
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void tokens(Chat.Target t, Chat.Usage usage) {
        if (usage == null) {
            return;
        }
        String model = t.model();
        meters.counter("chatd.tokens", "tokens as the provider reported them", "provider", t.provider(), "model", model,
                "direction", "in").increment(usage.promptTokens());
        meters.counter("chatd.tokens", "tokens as the provider reported them", "provider", t.provider(), "model", model,
                "direction", "out").increment(usage.completionTokens());
    }

    void cooldown(String provider) {
        meters.counter("chatd.cooldowns", "cooldowns started", "provider", provider).increment();
    }

    private Timer timer(String name, String description, String provider, String model) {
        return meters.timer(name, description, Timer.Builder::publishPercentileHistogram, "provider", provider, "model", model);
    }
}
