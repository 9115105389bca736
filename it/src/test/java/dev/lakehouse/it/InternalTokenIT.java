package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.InternalToken;
import dev.lakehouse.it.harness.Stack;
import org.junit.jupiter.api.Test;

/**
 * A stack that requires its internal token, as processes: every edge still works — the gateway to truthd and
 * validatord, validatord to truthd, truthd and validatord to observerd — while a caller without the token is refused by
 * every daemon but the gateway, and the probes stay open.
 */
class InternalTokenIT {
    @Test
    void aTokenedStack_servesThroughTheGateway_andRefusesDirectCallers() throws Exception {
        Path tokenFile = Files.createTempFile("internal-token", "");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tokenFile, InternalToken.generate().value() + "\n");
        Path roster = Stack.generateRoster(500);
        try (Stack stack = Stack.builder()
                .env(InternalToken.VARIABLE, tokenFile.toString())
                .daemon(DaemonId.OBSERVERD)
                .daemon(DaemonId.TRUTHD)
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                .daemon(DaemonId.GATEWAY)
                .start()) {
            URI gw = stack.url("gateway");
            HttpResponse<String> posted = send(gw, "POST", "/v1/truth/claims", "{\"claims\":[{\"subject\":\"worker:W000010\","
                    + "\"field\":\"status\",\"value\":\"inactive\",\"source\":\"crm\",\"rank\":\"preferred\",\"observed_at\":\""
                    + java.time.Instant.now() + "\"}]}");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
            JsonNode worker = json(send(gw, "GET", "/v1/roster/workers/W000010", null));
            String fill = "{\"kind\":\"fill\",\"fill\":{\"order\":{\"order_id\":\"O-1\",\"role\":\"" + worker.path("role").asText()
                    + "\",\"lat\":" + worker.path("lat").asDouble() + ",\"lon\":" + worker.path("lon").asDouble()
                    + ",\"radius_miles\":10,\"headcount\":1},\"worker_ids\":[\"W000010\"]}}";
            JsonNode checked = json(send(gw, "POST", "/v1/validate", fill));
            assertThat(checked.path("skipped")).as("validatord reached truthd with the token: " + checked).isEmpty();

            for (String d : new String[] {"observerd", "truthd", "validatord"}) {
                HttpResponse<String> direct = send(stack.url(d), "GET", "/v1/nothing", null);
                assertThat(direct.statusCode()).as(d).isEqualTo(401);
                assertThat(json(direct).path("code").asText()).isEqualTo("internal_token_required");
                assertThat(send(stack.url(d), "GET", "/ready", null).statusCode()).as(d + " /ready").isEqualTo(200);
                assertThat(send(stack.url(d), "GET", "/metrics", null).statusCode()).as(d + " /metrics").isEqualTo(200);
            }
            assertThat(send(stack.url("truthd"), "GET", "/v1/truth/subjects/worker:W000010", null).statusCode()).isEqualTo(401);

            // the daemons' observations reached observerd, which required the token of them too
            String token = Files.readString(tokenFile).strip();
            long events = 0;
            for (int i = 0; i < 100; i++) {
                var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        stack.url("observerd").resolve("/v1/observe/events?limit=1000")).header(InternalToken.HEADER, token).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                events = r.body().lines().filter(l -> !l.isBlank()).count();   // JSON lines
                if (events > 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(events).as("observations delivered with the token").isPositive();
        }
    }
}
