package dev.lakehouse.it;

import static dev.lakehouse.it.DistillIT.post;
import static dev.lakehouse.it.kit.Http.json;
import static dev.lakehouse.it.kit.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.ScriptedOllama;
import org.junit.jupiter.api.Test;

/**
 * Issue 29's "done when": real chat, iterate and validate traffic through the gateway with personal data in user
 * messages, answers, e-mails and fills — SSNs written without dashes, phones in other forms than the roster's, roster
 * workers' contacts — observed by the daemons, distilled by distilld through the gateway, and every file of the run
 * that is handed out (SFT, RAG, preference) read by this test's own oracle: the planted values, every digit run with its
 * separators removed. Zero raw identifiers; the contacts answer still a sample, with placeholders.
 */
class PrivacyDistillIT {
    @Test
    void personalDataThroughTheGateway_neverReachesAnExport() throws Exception {
        Queue<String> script = new ConcurrentLinkedQueue<>();
        Path roster = Stack.generateRoster(2000);
        try (ScriptedOllama ollama = new ScriptedOllama(body -> script.isEmpty() ? "Noted." : script.poll());
             Stack stack = Stack.builder()
                     .daemon(DaemonId.OBSERVERD)
                     .daemon(DaemonId.CHATD, Map.of("CHATD_OLLAMA_URL", "http://127.0.0.1:" + ollama.port(), "CHATD_DEFAULT_MODEL", "qwen2.5:7b"))
                     .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString(), "VALIDATORD_PLAYBOOKS", "false"))
                     .daemon(DaemonId.DISTILLD, Map.of("LAKEHOUSE_ROSTER", roster.toString()))
                     .daemon(DaemonId.GATEWAY)
                     .start()) {
            URI gw = stack.url("gateway");
            JsonNode ana = json(send(stack.url("validatord"), "GET", "/v1/roster/workers/W000010", null));
            JsonNode bo = json(send(stack.url("validatord"), "GET", "/v1/roster/workers/W000011", null));
            String boPhone = bo.path("phone").asText();        // 614-555-0142 as the roster writes it
            String boDigits = boPhone.replaceAll("[^0-9]", "");
            String boDotted = boDigits.substring(0, 3) + "." + boDigits.substring(3, 6) + "." + boDigits.substring(6);
            String boEmail = bo.path("email").asText();
            List<String> planted = List.of("219099999", "078051123", "4155550132", "3125550177", boDigits, boEmail.toLowerCase(Locale.ROOT),
                    "maria.x@example.org");

            // a user who sends an SSN without dashes; the answer
            script.add("Yes, you are on payroll.");
            chat(gw, "my social security number is 219099999, am I on payroll?", "pii-chat-1");
            // a recruiter's answer that gives a roster worker's contact written another way, and a desk number
            script.add("Call " + bo.path("first_name").asText() + " on " + boDotted + " or write to " + boEmail.toUpperCase(Locale.ROOT)
                    + "; the desk is (415) 555-0132.");
            chat(gw, "How do I reach " + bo.path("first_name").asText() + "?", "pii-chat-2");
            // a user's own contacts in a message, and a dotted SSN in an answer
            script.add("Your SSN on file is 078.05.1123.");
            chat(gw, "Text me at +1 312 555 0177 or maria.x@example.org: what SSN do you have?", "pii-chat-3");
            // an iterate run: the first e-mail leaks another worker's contact, the second is clean
            String first = ana.path("first_name").asText();
            script.add("{\"subject\":\"Shift\",\"body\":\"Hi " + first + ", call " + boPhone + " if you cannot come.\"}");
            script.add("{\"subject\":\"Shift\",\"body\":\"Hi " + first + ", your shift is Monday at 7.\"}");
            JsonNode it = json(post(gw, "/v1/iterate", "{\"kind\":\"email\",\"instruction\":\"Tell " + first + " about Monday\","
                    + "\"context\":{\"to_worker_id\":\"W000010\"},\"max_attempts\":3}", "pii-iterate-1"));
            assertThat(it.path("valid").asBoolean()).as(it.toString()).isTrue();
            assertThat(it.path("attempts")).hasSize(2);
            // a validation of an e-mail that holds another worker's e-mail and an SSN
            JsonNode v = json(post(gw, "/v1/validate", "{\"kind\":\"email\",\"email\":{\"to_worker_id\":\"W000010\",\"subject\":\"Hi\","
                    + "\"body\":\"Hi " + first + ", ask " + boEmail + "; SSN 078-05-1123.\"}}", "pii-validate-1"));
            assertThat(v.path("valid").asBoolean()).isFalse();

            for (int i = 0; i < 300; i++) {
                String kinds = json(send(stack.url("observerd"), "GET", "/v1/observe/stats", null)).path("days").toString();
                if (kinds.contains("\"iterate.attempt\":2") && kinds.contains("\"validate\"") && kinds.matches(".*\"chat.call\":([5-9]|\\d\\d).*")) {
                    break;
                }
                Thread.sleep(100);
            }
            JsonNode done = DistillIT.fullRun(gw);
            String id = done.path("id").asText();
            JsonNode summary = done.path("summary");
            assertThat(summary.path("inputs").path("roster_workers").asInt()).isEqualTo(2000);
            assertThat(summary.path("stages").path("materialize").path("iterate_calls").asLong()).isEqualTo(2);
            assertThat(summary.path("stages").path("export").path("masked").path("roster_contacts").asLong()).isPositive();

            Path dir = stack.dataRoot().resolve("distilld/runs").resolve(id);
            List<String> sft = Files.readAllLines(dir.resolve("sft/trl.jsonl"));
            assertThat(sft).as("the contacts answer teaches, with placeholders").anySatisfy(l -> assertThat(l)
                    .contains("[PHONE_1]", "[EMAIL_1]", "[PHONE_2]"));
            assertThat(sft).noneMatch(l -> l.contains("payroll"));   // the user who sent an SSN: never SFT
            assertThat(sft).noneMatch(l -> l.contains("if you cannot come"));   // the failed attempt: no chat sample of it
            List<String> leaks = new ArrayList<>();
            Set<String> internal = Set.of("evidence.jsonl", "quarantine.jsonl", "scored.jsonl", "summary.json");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> !internal.contains(f.getFileName().toString())).toList()) {
                    String text = Files.readString(f).toLowerCase(Locale.ROOT);
                    String joined = text.replaceAll("[^0-9a-z@.]", "");
                    for (String p : planted) {
                        if (text.contains(p) || joined.contains(p)) {
                            leaks.add(dir.relativize(f) + " holds planted value #" + planted.indexOf(p));
                        }
                    }
                }
            }
            assertThat(leaks).isEmpty();
        }
    }

    private static void chat(URI gw, String user, String requestId) throws Exception {
        String body = Json.mapper().writeValueAsString(Map.of("messages", List.of(Map.of("role", "user", "content", user))));
        assertThat(post(gw, "/v1/chat", body, requestId).statusCode()).isEqualTo(200);
    }
}
