package dev.lakehouse.chatd;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** chatd's domain: what is asked, of whom, and what came back. Independent of either HTTP API. */
final class Chat {
    private Chat() {
    }

    /** One message of the conversation; role is system, user or assistant. */
    record Message(String role, String content) {
    }

    /** A provider and one of its models, e.g. ollama + qwen2.5:7b; {@link #id()} is {@code ollama/qwen2.5:7b}. */
    record Target(String provider, String model) {
        String id() {
            return provider + "/" + model;
        }
    }

    /**
     * What to ask: the conversation and sampling settings, the stop sequences (the answer ends before the first
     * of them; none: empty), and the targets to try in order (first the asked one).
     */
    record Call(List<Message> messages, Double temperature, Integer maxTokens, List<String> stop, List<Target> chain) {
        Call {
            stop = stop == null ? List.of() : List.copyOf(stop);
        }
    }

    record Usage(int promptTokens, int completionTokens, int totalTokens) {
        static Usage of(int prompt, int completion) {
            return new Usage(prompt, completion, prompt + completion);
        }
    }

    /**
     * One try of one target: {@code ok}, {@code error} (with the error's kind and text,
     * and the provider's HTTP status when it answered), {@code skipped} (no key, cooling
     * down) or {@code cancelled} (the caller went away).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attempt(String provider, String model, Status status, String errorKind, String error, Integer httpStatus,
                   Double latencyMs) {
        /** How a try ended; on the wire {@code ok}, {@code error}, {@code skipped}, {@code cancelled}. */
        enum Status {
            OK, ERROR, SKIPPED, CANCELLED;

            @com.fasterxml.jackson.annotation.JsonValue
            @Override
            public String toString() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        static Attempt ok(Target t, double ms) {
            return new Attempt(t.provider(), t.model(), Status.OK, null, null, null, round(ms));
        }

        static Attempt failed(Target t, ProviderError e, double ms) {
            return new Attempt(t.provider(), t.model(), Status.ERROR, e.kind().code(), e.getMessage(), e.httpStatus(), round(ms));
        }

        static Attempt skipped(Target t, String kind, String why) {
            return new Attempt(t.provider(), t.model(), Status.SKIPPED, kind, why, null, null);
        }

        static Attempt cancelled(Target t, double ms) {
            return new Attempt(t.provider(), t.model(), Status.CANCELLED, "client_disconnected",
                    "the caller closed the connection; the provider call was cancelled", null, round(ms));
        }
    }

    /** A provider's whole answer. */
    record Reply(String content, String finishReason, Usage usage) {
    }

    /** The answer to the caller: who served it, what it said, and every attempt on the way. */
    record Completion(Target target, String content, String finishReason, Usage usage, double latencyMs, Double ttftMs,
                      List<Attempt> attempts) {
    }

    static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }
}
