package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.InternalToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the gateway exposes: without keys it listens on loopback only; it hands the stack's internal token to its own
 * daemons, never a caller's, and never to a legacy stack.
 */
class GatewaySecurityTest {
    static final String TOKEN = "f".repeat(32) + "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "10.1.2.3", "192.168.0.10", "no-such-host.invalid"})
    void anOpenGateway_refusesToListenBeyondLoopback(String bind) {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_BIND", bind, "LAKEHOUSE_GATEWAY_PORT", "0",
                "LAKEHOUSE_DATA_DIR", dir.toString()));
        assertThatThrownBy(() -> GatewayMain.builder(GatewayConfig.from(env), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LAKEHOUSE_API_KEYS_FILE is not set")
                .hasMessageContaining("LAKEHOUSE_BIND=" + bind);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "localhost"})
    void anOpenGateway_listensOnLoopback(String bind) {
        GatewayMain.requireLoopback(bind);
    }

    @Test
    void aGatewayWithKeys_mayListenEverywhere() throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "admin:admin-key-0123456789abcdef\n");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_BIND", "0.0.0.0", "LAKEHOUSE_GATEWAY_PORT", "0",
                "LAKEHOUSE_DATA_DIR", dir.toString(), "LAKEHOUSE_API_KEYS_FILE", keys.toString()));
        GatewayMain.builder(GatewayConfig.from(env), env);   // no refusal: it is keyed
    }

    @Test
    void theGateway_sendsItsTokenToItsDaemons_dropsACallersToken_andNeverSendsItToALegacyStack() throws Exception {
        Path tokenFile = dir.resolve("internal-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        List<String> chatdSaw = new CopyOnWriteArrayList<>();
        List<String> legacySaw = new CopyOnWriteArrayList<>();
        HttpServer chatd = dev.lakehouse.common.testing.StubServer.start(x -> {
            chatdSaw.add(String.valueOf(x.getRequestHeaders().get(InternalToken.HEADER)));
            dev.lakehouse.common.testing.StubServer.answer(x, 200, "{\"ok\":true}");
        });
        HttpServer legacy = dev.lakehouse.common.testing.StubServer.start(x -> {
            legacySaw.add(String.valueOf(x.getRequestHeaders().get(InternalToken.HEADER)));
            dev.lakehouse.common.testing.StubServer.answer(x, 200, "{\"ok\":true}");
        });
        Path routes = dir.resolve("routes.json");
        Files.writeString(routes, "{\"routes\":[{\"prefix\":\"/v1/providers\",\"target\":\"" + dev.lakehouse.common.testing.StubServer.url(legacy) + "\"}]}");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "LAKEHOUSE_CHATD_URL", dev.lakehouse.common.testing.StubServer.url(chatd), "LAKEHOUSE_ROUTES_FILE", routes.toString(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9", "LAKEHOUSE_JOURNALD_URL", "http://127.0.0.1:9",
                InternalToken.VARIABLE, tokenFile.toString()));
        DaemonServer gateway = GatewayMain.builder(GatewayConfig.from(env), env).embedded().start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat"))
                    .header(InternalToken.HEADER, "a-caller-s-guess-0123456789abcdef0123456789")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(200);
            assertThat(chatdSaw).containsExactly("[" + TOKEN + "]");   // the gateway's, once; the caller's dropped

            HttpResponse<String> old = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/providers"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(old.statusCode()).isEqualTo(200);
            assertThat(legacySaw).containsExactly("null");   // a legacy stack never learns it
        } finally {
            gateway.stop();
            chatd.stop(0);
            legacy.stop(0);
        }
    }

    @Test
    void aCallersOwnCallerAndRouteHeaders_areDropped_theKeyTheGatewayCheckedIsWhatChatdHears() throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "alice:alice-key-0123456789abcdef:chat\n");
        List<String> chatdSaw = new CopyOnWriteArrayList<>();
        HttpServer chatd = dev.lakehouse.common.testing.StubServer.start(x -> {
            chatdSaw.add(x.getRequestHeaders().get("X-Lakehouse-Caller") + " " + x.getRequestHeaders().get("X-Lakehouse-Route"));
            dev.lakehouse.common.testing.StubServer.answer(x, 200, "{\"ok\":true}");
        });
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "LAKEHOUSE_CHATD_URL", dev.lakehouse.common.testing.StubServer.url(chatd), "LAKEHOUSE_API_KEYS_FILE", keys.toString(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9", "LAKEHOUSE_JOURNALD_URL", "http://127.0.0.1:9"));
        DaemonServer gateway = GatewayMain.builder(GatewayConfig.from(env), env).embedded().start();
        try {
            HttpResponse<String> chat = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat"))
                    .header("Authorization", "Bearer alice-key-0123456789abcdef")
                    .header("X-Lakehouse-Caller", "someone-with-no-budget").header("X-Lakehouse-Route", "/v1/free")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(200);
            assertThat(chatdSaw).containsExactly("[alice] [/v1/chat]");
        } finally {
            gateway.stop();
            chatd.stop(0);
        }
    }

    @Test
    void aBudgetsFileThatNamesAKeyNoOneHolds_orDoesNotParse_stopsTheStart_namingTheLine() throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "alice:alice-key-0123456789abcdef\nadmin:admin-key-0123456789abcdef:admin\n");
        Path budgets = dir.resolve("budgets.txt");
        Files.writeString(budgets, "alice day tokens=1000\n# the admin too: no key is above its budget\nadmin month cost=5\nalcie day tokens=5\n");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_GATEWAY_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString(),
                "LAKEHOUSE_API_KEYS_FILE", keys.toString(), "LAKEHOUSE_BUDGETS_FILE", budgets.toString()));
        assertThatThrownBy(() -> GatewayMain.builder(GatewayConfig.from(env), env))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 4 budgets the key 'alcie'");
        Files.writeString(budgets, "alice day tokens=-5\n");
        assertThatThrownBy(() -> GatewayMain.builder(GatewayConfig.from(env), env))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 1: tokens must be 0 to");
        Files.writeString(budgets, "alice day tokens=1000\nadmin month cost=5\n");
        GatewayMain.builder(GatewayConfig.from(env), env);   // every key it budgets exists
    }
}
