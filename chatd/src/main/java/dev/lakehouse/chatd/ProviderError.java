package dev.lakehouse.chatd;

import java.time.Duration;

/**
 * A provider call that failed, classified so the dispatcher knows what to do:
 * retry (after {@link #retryAfter()} if the provider said so), count it towards
 * the provider's cooldown, or move straight on to the next target.
 */
final class ProviderError extends RuntimeException {
    enum Kind {
        /** 429. */
        RATE_LIMITED("rate_limited", true),
        /** 5xx. */
        SERVER_ERROR("server_error", true),
        /** No answer, first token or next chunk in time. */
        TIMEOUT("timeout", true),
        /** Refused, reset, broken mid-body. */
        CONNECTION("connection_failed", true),
        /** 200 with nothing in it: no body, no choices, no content. */
        EMPTY("empty_response", true),
        /** 200 whose body is not the protocol (bad JSON, wrong shape). */
        BAD_RESPONSE("bad_response", true),
        /** An error reported inside a 200 stream (Ollama's error line, an OpenAI-style error event). */
        STREAM_ERROR("stream_error", true),
        /** 401/403: the key is wrong or lacks access. */
        AUTH("auth_failed", false),
        /** 404 or "model not found". */
        UNKNOWN_MODEL("unknown_model", false),
        /** Another 4xx: the provider refused this request. */
        REJECTED("rejected", false),
        /** The local provider's generations all running and its queue full (not a sign of ill health). */
        BUSY("busy", false),
        /** The local provider's model cannot serve (it failed to load, or the provider could not start a generation). */
        UNAVAILABLE("unavailable", false);

        private final String code;
        private final boolean transientFailure;

        Kind(String code, boolean transientFailure) {
            this.code = code;
            this.transientFailure = transientFailure;
        }

        String code() {
            return code;
        }
    }

    private final Kind kind;
    private final Integer httpStatus;
    private final Duration retryAfter;

    ProviderError(Kind kind, Integer httpStatus, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    ProviderError(Kind kind, String message) {
        this(kind, null, null, message, null);
    }

    Kind kind() {
        return kind;
    }

    Integer httpStatus() {
        return httpStatus;
    }

    /** What the provider asked us to wait (Retry-After), or null. */
    Duration retryAfter() {
        return retryAfter;
    }

    /** Worth retrying, and counted towards the provider's cooldown: the provider is unwell, not the request. */
    boolean isTransient() {
        return kind.transientFailure;
    }

    /** The kind for an HTTP error status. */
    static Kind kindFor(int status) {
        if (status == 429) {
            return Kind.RATE_LIMITED;
        }
        if (status >= 500) {
            return Kind.SERVER_ERROR;
        }
        if (status == 401 || status == 403) {
            return Kind.AUTH;
        }
        if (status == 404) {
            return Kind.UNKNOWN_MODEL;
        }
        return status == 408 ? Kind.TIMEOUT : Kind.REJECTED;
    }
}
