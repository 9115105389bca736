package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Method;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The internal token: its file's rules, the daemon that requires it, and the peer client that sends it. */
class InternalTokenTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static DaemonServer server;
    static Path tokenFile;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        tokenFile = dir.resolve("internal-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        server = DaemonServer.builder("tokentest", EnvConfig.of(Map.of("LAKEHOUSE_TOKENTEST_PORT", "0",
                        InternalToken.VARIABLE, tokenFile.toString())), 0)
                .embedded()
                .routing(r -> r.get("/v1/thing", (req, res) -> Json.send(res, 200, Map.of("ok", true))))
                .start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (token != null) {
            b.header(InternalToken.HEADER, token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRoute_needsTheToken_401ProblemsThatNeverEchoWhatWasSent() throws Exception {
        assertThat(get("/v1/thing", TOKEN).statusCode()).isEqualTo(200);

        HttpResponse<String> none = get("/v1/thing", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue(Problem.MEDIA_TYPE);
        assertThat(Json.mapper().readTree(none.body()).path("code").asText()).isEqualTo("internal_token_required");

        String wrong = TOKEN.substring(0, 63) + "0";   // one character off
        for (String bad : new String[] {wrong, TOKEN.substring(0, 32), TOKEN + "x", "Bearer " + TOKEN, TOKEN.toUpperCase(), "x".repeat(4000)}) {
            HttpResponse<String> r = get("/v1/thing", bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(401);
            JsonNode p = Json.mapper().readTree(r.body());
            assertThat(p.path("code").asText()).isEqualTo("internal_token_invalid");
            assertThat(r.body()).doesNotContain(bad.strip()).doesNotContain(TOKEN);
        }
        // an unknown route is 401 too: nothing about the daemon's routes is said without the token
        assertThat(get("/v1/nothing-here", null).statusCode()).isEqualTo(401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/ready", "/metrics"})
    void theProbesAndTheScraper_needNoToken(String path) throws Exception {
        assertThat(get(path, null).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health/x", "/ready/", "//health", "/metrics/../v1/thing", "/%68ealth", "/health;x"})
    void onlyTheExactProbePathsAreOpen(String path) throws Exception {
        assertThat(get(path, null).statusCode()).as(path).isIn(401, 400);
        assertThat(get(path, null).statusCode()).as(path).isNotEqualTo(200);
    }

    @Test
    void thePeerClient_sendsTheTokenOfItsEnvironment() {
        EnvConfig env = EnvConfig.of(Map.of(InternalToken.VARIABLE, tokenFile.toString()));
        PeerClient with = new PeerClient("tokentest", URI.create("http://127.0.0.1:" + server.port()),
                PeerClient.Options.defaults().withToken(env.internalToken().orElseThrow()));
        assertThat(with.send(Method.GET, "/v1/thing", null, true).status()).isEqualTo(200);
        PeerClient without = new PeerClient("tokentest", URI.create("http://127.0.0.1:" + server.port()),
                PeerClient.Options.defaults().withRetries(0, Duration.ZERO));
        assertThatThrownBy(() -> without.send(Method.GET, "/v1/thing", null, true))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThat(with.toString()).doesNotContain(TOKEN);
        assertThat(PeerClient.Options.defaults().withToken(env.internalToken().orElseThrow()).toString()).doesNotContain(TOKEN);
    }

    @Test
    void aTokenFile_missingShortMalformedOrHuge_failsStartUpNamingTheVariable_neverTheContent(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> InternalToken.read(dir.resolve("absent")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(InternalToken.VARIABLE).hasMessageContaining("no file");
        Map<String, String> bad = Map.of(
                "empty", "",
                "short", "abc123\n",
                "truncated", TOKEN.substring(0, 31),
                "space", TOKEN.substring(0, 20) + " " + TOKEN.substring(21),
                "two-lines", TOKEN + "\n" + TOKEN + "\n",
                "control", TOKEN + "\u0007",
                "non-ascii", TOKEN + "é");
        for (var e : bad.entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.writeString(f, e.getValue());
            assertThatThrownBy(() -> InternalToken.read(f)).as(e.getKey()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(InternalToken.VARIABLE).satisfies(t -> assertThat(t.getMessage()).doesNotContain(TOKEN));
        }
        Path huge = dir.resolve("huge");
        Files.writeString(huge, "a".repeat(10_000));
        assertThatThrownBy(() -> InternalToken.read(huge)).isInstanceOf(ConfigException.class).hasMessageContaining("longer than a token");
        Path crlf = dir.resolve("crlf");
        Files.writeString(crlf, TOKEN + "\r\n");
        assertThat(InternalToken.read(crlf).matches(TOKEN)).isTrue();
        assertThat(InternalToken.read(crlf).toString()).doesNotContain(TOKEN);
    }

    @Test
    void aTokenFileOthersCanRead_isUsed_withAWarning(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("shared");
        Files.writeString(f, TOKEN);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        StringBuilder warned = new StringBuilder();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warned.append(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(InternalToken.class.getName());
        log.addHandler(h);
        try {
            assertThat(InternalToken.read(f).matches(TOKEN)).isTrue();
        } finally {
            log.removeHandler(h);
        }
        assertThat(warned.toString()).contains("readable by every user").contains("chmod 600").doesNotContain(TOKEN);
    }

    @Test
    void generatedTokens_areLongRandomAndMatchOnlyThemselves() {
        InternalToken a = InternalToken.generate();
        InternalToken b = InternalToken.generate();
        assertThat(a.value()).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(a.matches(a.value())).isTrue();
        assertThat(a.matches(b.value())).isFalse();
        assertThat(a.matches(null)).isFalse();
        assertThat(a.matches("")).isFalse();
    }

    @Test
    void theGateway_neverRequiresIt_itsCallersHoldApiKeys() throws Exception {
        DaemonServer gw = DaemonServer.builder(DaemonId.GATEWAY, EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_PORT", "0",
                        InternalToken.VARIABLE, tokenFile.toString())))
                .embedded()
                .routing(r -> r.get("/v1/x", (req, res) -> Json.send(res, 200, Map.of("ok", true))))
                .start();
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } finally {
            gw.stop();
        }
    }
}
