package dev.lakehouse.common;

import java.util.Map;
import java.util.Objects;

/**
 * A failure with an HTTP status and a stable snake_case {@code code}; the kit's
 * error handler turns every one into the same problem+json body (docs/errors.md).
 * The set is closed: the caller's fault (4xx), a missing resource, a conflict,
 * a peer that failed or timed out, and a dependency that is unavailable.
 */
public abstract sealed class ApiException extends RuntimeException
        permits ApiException.BadRequest, ApiException.NotFound, ApiException.Conflict,
        ApiException.UpstreamFailed, ApiException.Unavailable {

    private final int status;
    private final String code;
    private final Map<String, String> headers;
    private final Map<String, Object> extensions = new java.util.LinkedHashMap<>();

    private ApiException(int status, String code, String detail, Map<String, String> headers, Throwable cause) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }

    /** Extra response headers, such as {@code Allow} or {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * Adds an extension member to the problem body (RFC 9457 §3.2), e.g. chatd's
     * {@code attempts}; returns this exception.
     */
    public ApiException with(String member, Object value) {
        extensions.put(Objects.requireNonNull(member, "member"), value);
        return this;
    }

    /** Extension members of the problem body, in the order they were added. */
    public Map<String, Object> extensions() {
        return java.util.Collections.unmodifiableMap(extensions);
    }

    /** The request cannot be served as sent: 400 by default, or another 4xx (401, 403, 405, 413, 415, 429, 431…). */
    public static final class BadRequest extends ApiException {
        public BadRequest(String code, String detail) {
            this(400, code, detail, Map.of());
        }

        public BadRequest(int status, String code, String detail, Map<String, String> headers) {
            super(requireClientError(status), code, detail, headers, null);
        }

        private static int requireClientError(int status) {
            if (status < 400 || status > 499 || status == 404 || status == 409) {
                throw new IllegalArgumentException("BadRequest takes a 4xx other than 404/409, not " + status);
            }
            return status;
        }
    }

    /** 404: the thing named in the request does not exist. */
    public static final class NotFound extends ApiException {
        public NotFound(String code, String detail) {
            super(404, code, detail, Map.of(), null);
        }
    }

    /** 409: the request conflicts with the current state. */
    public static final class Conflict extends ApiException {
        public Conflict(String code, String detail) {
            super(409, code, detail, Map.of(), null);
        }
    }

    /** 502 (bad answer) or 504 (no answer in time) from a named peer or provider. */
    public static final class UpstreamFailed extends ApiException {
        private final String peer;

        public UpstreamFailed(String peer, boolean timeout, String code, String detail, Throwable cause) {
            super(timeout ? 504 : 502, code, detail, Map.of(), cause);
            this.peer = peer;
        }

        public String peer() {
            return peer;
        }
    }

    /** 503: a dependency (a peer, the roster, an index still loading…) cannot serve now. */
    public static final class Unavailable extends ApiException {
        private final String peer;

        public Unavailable(String peer, String code, String detail, Map<String, String> headers, Throwable cause) {
            super(503, code, detail, headers, cause);
            this.peer = peer;
        }

        public Unavailable(String code, String detail) {
            this(null, code, detail, Map.of(), null);
        }

        /** The peer that is unavailable, or null when the daemon itself is not ready. */
        public String peer() {
            return peer;
        }
    }
}
