package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The log's last net against the privacy module's labelled corpus (privacy/src/test/resources/pii-corpus.jsonl, written
 * for its detector, an oracle this code never calls): how many of the e-mail addresses and phone numbers a log line
 * might carry it masks, and how many sentences without one it leaves alone. The thorough detector masks exports; this
 * one runs on every log line and problem body, so it takes the common written forms and no bare digit runs.
 */
class RedactCorpusTest {
    @Test
    void emailsAndWrittenPhones_areMaskedInLogLines_andNearMissesKept() throws Exception {
        Path corpus = Path.of("..", "privacy", "src", "test", "resources", "pii-corpus.jsonl");
        int[] email = new int[2];   // found, all
        int[] phone = new int[2];
        int negatives = 0;
        int touched = 0;
        for (String line : Files.readAllLines(corpus)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = Json.mapper().readTree(line);
            String text = n.path("text").asText();
            String masked = Redact.text(text);
            if (n.path("expect").isEmpty()) {
                negatives++;
                if (masked.contains("[EMAIL]") || masked.contains("[PHONE]")) {
                    touched++;
                }
                continue;
            }
            for (JsonNode e : n.path("expect")) {
                int[] counter = switch (e.path("type").asText()) {
                    case "email" -> email;
                    case "phone" -> phone;
                    default -> null;
                };
                if (counter == null) {
                    continue;
                }
                counter[1]++;
                String digitsOrText = e.path("value").asText();
                boolean gone = e.path("type").asText().equals("email") ? !masked.toLowerCase().contains(digitsOrText)
                        : !masked.replaceAll("[^0-9]", "").contains(digitsOrText);
                if (gone) {
                    counter[0]++;
                }
            }
        }
        double emailRecall = email[0] / (double) email[1];
        double phoneRecall = phone[0] / (double) phone[1];
        double negativesKept = 1 - touched / (double) negatives;
        System.out.printf("log redaction on the privacy corpus: e-mail recall %.3f (%d/%d), phone recall %.3f (%d/%d), "
                + "sentences without PII left alone %.3f (%d/%d)%n", emailRecall, email[0], email[1], phoneRecall, phone[0], phone[1],
                negativesKept, negatives - touched, negatives);
        assertThat(emailRecall).isGreaterThanOrEqualTo(0.85);
        assertThat(phoneRecall).isGreaterThanOrEqualTo(0.70);
        assertThat(negativesKept).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void ordinaryLogLines_keepTheirNumbers() {
        for (String s : new String[] {"journal at seq 1234567890, head ab12", "took 1733459000123 ms", "order O-2026-12-06 filled",
                "port 4217 pid 31337", "version 0.1.0 build 20261206.1530", "point p12345678 at 0.9812"}) {
            assertThat(Redact.text(s)).isEqualTo(s);
        }
        assertThat(Redact.text("mail jane.doe@example.com or call (614) 555-0142")).isEqualTo("mail [EMAIL] or call [PHONE]");
    }
}
