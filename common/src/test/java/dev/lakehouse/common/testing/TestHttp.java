package dev.lakehouse.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.IntSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;

/**
 * The HTTP side of an in-process server test (shared through common's test jar):
 * requests to 127.0.0.1 on the server's port, JSON bodies, and the one check
 * every bad-input test makes of a problem+json answer.
 */
public final class TestHttp {
    /** Bodies above this ask with {@code Expect: 100-continue}, as curl does, so a 413 arrives before the body is sent. */
    public static final int EXPECT_CONTINUE_ABOVE = 64 * 1024;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final IntSupplier port;

    /** {@code port} is asked on every request: a test may restart its server on another port. */
    public TestHttp(IntSupplier port) {
        this.port = port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.getAsInt() + path);
    }

    /** A request with a JSON body (none when {@code body} is null). */
    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, body == null ? null : Json.MEDIA_TYPE);
    }

    public HttpResponse<String> send(String method, String path, String body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .expectContinue(body != null && body.length() > EXPECT_CONTINUE_ABOVE);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, json);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    public static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.mapper().readTree(r.body());
    }

    /**
     * Asserts a problem+json answer with {@code status}, {@code code} (any non-empty
     * code when null) and a detail that mentions {@code mentions}; returns its body.
     */
    public static JsonNode assertProblem(HttpResponse<String> r, int status, String code, String mentions) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = json(r);
        if (code != null) {
            assertThat(problem.path("code").asText()).as(r.body()).isEqualTo(code);
        } else {
            assertThat(problem.path("code").asText()).as(r.body()).isNotEmpty();
        }
        assertThat(problem.path("detail").asText()).contains(mentions);
        return problem;
    }
}
