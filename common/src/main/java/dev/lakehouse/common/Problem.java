package dev.lakehouse.common;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.helidon.http.Status;

/**
 * The one error body (RFC 9457 problem+json with Lakehouse's extension members),
 * e.g. {@code {"type":"about:blank","title":"Bad Request","status":400,
 * "detail":"input[3] is empty","code":"invalid_input","daemon":"embedd","request_id":"…"}}.
 * {@code peer} names the daemon or provider that failed, on 502/503/504 caused by one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code,
                      String daemon, String requestId, String peer,
                      @JsonIgnore Map<String, Object> extensions) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String detail, String daemon, String requestId, String peer) {
        return new Problem("about:blank", Status.create(status).reasonPhrase(), status, Redact.text(detail), code, daemon, requestId, peer,
                Map.of());
    }

    /** The same problem with extension members (such as chatd's {@code attempts}) after the standard ones. */
    public Problem withExtensions(Map<String, Object> members) {
        return new Problem(type, title, status, detail, code, daemon, requestId, peer,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members)));
    }

    @JsonAnyGetter
    Map<String, Object> extensionMembers() {
        return extensions;
    }

    /** The stable code for a status that no handler named more precisely. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limited";
            case 431 -> "header_too_large";
            case 502 -> "upstream_failed";
            case 503 -> "unavailable";
            case 504 -> "upstream_timeout";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }

    public byte[] toBytes() {
        return Json.bytes(this);
    }
}
