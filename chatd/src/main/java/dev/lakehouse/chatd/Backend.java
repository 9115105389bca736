package dev.lakehouse.chatd;

import java.util.Map;
import java.util.Optional;

/**
 * What the dispatcher calls for one provider: a provider over HTTP ({@link Provider})
 * or models run in this process ({@link LocalProvider}). Every failure leaves as a
 * {@link ProviderError}; whatever the listener throws (the caller went away)
 * propagates unchanged, after the call is stopped.
 */
interface Backend {
    /** Why a provider cannot be tried at this moment (a model still loading, one that failed to load): skipped, as a missing key is. */
    record Skip(String kind, String why) {
    }

    Provider.Settings settings();

    /** Why this provider refuses a model before any call, if it does (400 {@code model_not_supported}). */
    Optional<String> refusal(String model);

    /** Why {@code model} cannot be tried now, if it cannot. */
    default Optional<Skip> unavailable(String model) {
        return Optional.empty();
    }

    /** A whole answer. */
    Chat.Reply complete(Chat.Call call, String model);

    /** A streamed answer: each delta to the listener as it comes; the whole reply at the end. */
    Chat.Reply stream(Chat.Call call, String model, Provider.Listener listener, long[] firstDeltaNanos);

    /** More for {@code GET /v1/providers} (the local models' files, context and state); empty for none. */
    default Map<String, Object> details() {
        return Map.of();
    }

    /** Releases what the provider holds (native models); called once, at stop. */
    default void close() {
    }
}
