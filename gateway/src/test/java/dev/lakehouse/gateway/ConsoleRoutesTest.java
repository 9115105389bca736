package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's files and its session call, on a gateway with keys: every file with
 * its type, the one CSP, an ETag that answers 304; nothing outside the fixed set, by
 * any spelling of a path; the session without a key, with a wrong one, with a scoped one.
 */
class ConsoleRoutesTest {
    static final String KEY = "console-test-key-0123456789";
    static final String SCOPED = "console-scoped-key-0123456789";
    @TempDir
    static Path dir;
    static DaemonServer gateway;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "ops:" + KEY + "\nviewer:" + SCOPED + ":status,journal\n");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "LAKEHOUSE_API_KEYS_FILE", keys.toString(), "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_JOURNALD_URL", "http://127.0.0.1:9"));
        gateway = GatewayMain.builder(GatewayConfig.from(env), env).embedded().start();
    }

    @AfterAll
    static void stop() {
        gateway.stop();
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyFile_isServedWithItsType_theCsp_andAnEtagThatAnswers304() throws Exception {
        for (var asset : ConsoleRoutes.ASSETS.entrySet()) {
            HttpResponse<String> r = get("/console/" + asset.getKey());
            assertThat(r.statusCode()).as(asset.getKey()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains(asset.getValue());
            assertThat(r.headers().firstValue("Content-Security-Policy")).contains(ConsoleRoutes.CSP);
            assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(r.body()).isNotEmpty();
            String etag = r.headers().firstValue("ETag").orElseThrow();
            assertThat(get("/console/" + asset.getKey(), "If-None-Match", etag).statusCode()).isEqualTo(304);
            assertThat(get("/console/" + asset.getKey(), "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> page = get("/console/");
        assertThat(page.body()).contains("<title>Lakehouse console</title>", "vendor/uPlot.iife.min.js", "console.js");
        assertThat(get("/console/vendor/uPlot.iife.min.js").body()).contains("uPlot");
        HttpResponse<String> bare = get("/console");
        assertThat(bare.statusCode()).isEqualTo(308);
        assertThat(bare.headers().firstValue("Location")).contains("/console/");
        assertThat(get("/console/index.html").body()).isEqualTo(page.body());
    }

    @Test
    void nothingOutsideTheFixedSet_isServed_byAnySpellingOfAPath() throws Exception {
        for (String path : new String[] {"/console/../v1/status", "/console/%2e%2e/gateway.jar", "/console/vendor/../console.js",
                "/console/vendor/", "/console/VENDOR/uPlot.min.css", "/console/console.js/", "/console/console.js%00",
                "/console/dev/lakehouse/gateway/ApiKeys.class", "/console/META-INF/MANIFEST.MF", "/console//console.js",
                "/console/" + "a".repeat(5000), "/console/%C0%AE%C0%AE/x", "/consolex"}) {
            int status = rawStatus(path);
            assertThat(status).as(path).isBetween(400, 499);
        }
        HttpResponse<String> missing = get("/console/nope.js");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(missing.body()).contains("no file /console/nope.js", "console.js");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/console/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    /** The status line of a request sent byte for byte, so that no client tidies the path first. */
    static int rawStatus(String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void session_withoutAKey_saysOneIsNeeded_aWrongOneIs401_andAKeyGetsItsScopes() throws Exception {
        JsonNode none = Json.mapper().readTree(get("/console/api/session").body());
        assertThat(none.path("authenticated").asBoolean()).isFalse();
        assertThat(none.path("open").asBoolean()).isFalse();

        HttpResponse<String> wrong = get("/console/api/session", "Authorization", "Bearer not-a-known-key-at-all");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(Json.mapper().readTree(wrong.body()).path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(get("/console/api/session", "Authorization", "Basic abc").statusCode()).isEqualTo(401);

        JsonNode scoped = Json.mapper().readTree(get("/console/api/session", "Authorization", "Bearer " + SCOPED).body());
        assertThat(scoped.path("name").asText()).isEqualTo("viewer");
        assertThat(scoped.path("scopes").toString()).isEqualTo("[\"journal\",\"status\"]");
        assertThat(scoped.path("all_scopes").toString()).contains("chat", "admin");
        assertThat(get("/console/api/session", "Authorization", "Bearer " + SCOPED).headers().firstValue("Cache-Control"))
                .contains("no-store");
        assertThat(Json.mapper().readTree(get("/console/api/session", "Authorization", "Bearer " + KEY).body()).path("scopes")
                .toString()).isEqualTo("[\"*\"]");
    }

    @Test
    void statusMetrics_needsTheStatusScope_andAnswersEveryDaemonsSeries() throws Exception {
        assertThat(get("/v1/status/metrics").statusCode()).isEqualTo(401);
        HttpResponse<String> r = get("/v1/status/metrics", "Authorization", "Bearer " + SCOPED);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.path("interval_s").asDouble()).isEqualTo(5.0);
        assertThat(body.path("daemons").size()).isEqualTo(11);
        assertThat(body.path("daemons").path("gateway").path("t").isArray()).isTrue();
        assertThat(get("/v1/status/metrics/x", "Authorization", "Bearer " + SCOPED).statusCode()).isEqualTo(405);
    }
}
