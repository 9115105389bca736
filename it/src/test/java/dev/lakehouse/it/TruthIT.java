package dev.lakehouse.it;

import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.BusyWriters;
import org.junit.jupiter.api.Test;

/**
 * truthd as a process with validatord and the gateway: claims posted and resolved through the
 * gateway; a newer preferred claim makes validatord warn of a stale roster; truthd killed with
 * -9 under busy writers keeps every acknowledged claim, and while it is down a validation still
 * answers, saying the check was skipped.
 */
class TruthIT {
    @Test
    void claimsThroughTheGateway_staleRosterWarnings_andKill9() throws Exception {
        Path roster = Stack.generateRoster(2000);
        try (Stack stack = Stack.builder()
                .daemon(DaemonId.TRUTHD)
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                .daemon(DaemonId.GATEWAY)
                .start()) {
            URI gw = stack.url("gateway");
            HttpResponse<String> posted = send(gw, "POST", "/v1/truth/claims", "{\"claims\":["
                    + "{\"subject\":\"worker:W000500\",\"field\":\"phone\",\"value\":\"614-555-0101\",\"source\":\"roster\",\"observed_at\":\"2026-10-01T00:00:00Z\"},"
                    + "{\"subject\":\"worker:W000500\",\"field\":\"phone\",\"value\":\"(614) 555-0199\",\"source\":\"crm\",\"observed_at\":\"2026-11-01T00:00:00Z\"}]}");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
            JsonNode phone = json(send(gw, "GET", "/v1/truth/subjects/worker:W000500", null)).path("fields").path("phone");
            assertThat(phone.path("claim").path("source").asText()).isEqualTo("roster");
            assertThat(phone.path("conflicting")).hasSize(1);

            JsonNode worker = json(send(stack.url("validatord"), "GET", "/v1/roster/workers/W000010", null));
            String other = "active".equals(worker.path("status").asText()) ? "inactive" : "active";
            assertThat(send(gw, "POST", "/v1/truth/claims", "{\"claims\":[{\"subject\":\"worker:W000010\",\"field\":\"status\","
                    + "\"value\":\"" + other + "\",\"source\":\"crm\",\"rank\":\"preferred\",\"observed_at\":\"" + Instant.now() + "\"}]}")
                    .statusCode()).isEqualTo(201);
            String fill = "{\"kind\":\"fill\",\"fill\":{\"order\":{\"order_id\":\"O-1\",\"role\":\"" + worker.path("role").asText()
                    + "\",\"lat\":" + worker.path("lat").asDouble() + ",\"lon\":" + worker.path("lon").asDouble()
                    + ",\"radius_miles\":10,\"headcount\":1},\"worker_ids\":[\"W000010\"]}}";
            JsonNode checked = json(send(gw, "POST", "/v1/validate", fill));
            assertThat(checked.path("violations")).anySatisfy(v -> {
                assertThat(v.path("rule").asText()).isEqualTo("stale_roster");
                assertThat(v.path("severity").asText()).isEqualTo("warning");
                assertThat(v.path("message").asText()).contains(other, "crm");
            });

            URI truthd = stack.url("truthd");
            ManagedDaemon daemon = stack.daemon("truthd");
            Set<String> acknowledged = BusyWriters.killDuring(daemon, 4, 200, (writer, n) -> {
                String id = "w" + writer + "-" + n;
                HttpResponse<String> r = send(truthd, "POST", "/v1/truth/claims", "{\"claims\":[{\"claim_id\":\"" + id
                        + "\",\"subject\":\"worker:W" + (100_000 + n) + "\",\"field\":\"phone\",\"value\":\"" + n
                        + "\",\"source\":\"s" + writer + "\"}]}");
                return r.statusCode() == 201 ? Map.entry(id, id) : null;
            }).keySet();

            JsonNode down = json(send(gw, "POST", "/v1/validate", fill));
            assertThat(down.path("valid").isBoolean()).as(down.toString()).isTrue();
            assertThat(down.path("skipped").get(0).path("check").asText()).isEqualTo("stale_roster");

            daemon.start(Stack.READY_TIMEOUT);
            for (String id : acknowledged) {
                assertThat(send(gw, "GET", "/v1/truth/claims/" + id, null).statusCode()).as(id).isEqualTo(200);
            }
            assertThat(json(send(gw, "POST", "/v1/validate", fill)).path("violations"))
                    .anySatisfy(v -> assertThat(v.path("rule").asText()).isEqualTo("stale_roster"));
        }
    }
}
