package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Authorization: Bearer abc.def-123|abc.def-123",
            "key sk-or-v1-0123456789abcdef used|0123456789abcdef",
            "ssn 123-45-6789 in body|123-45-6789",
            "url ?api_key=hunter2&x=1|hunter2",
            "{\"token\":\"s3cr3t\"}|s3cr3t"})
    void secrets_areMasked(String input, String secret) {
        assertThat(Redact.text(input)).doesNotContain(secret);
    }

    @Test
    void jsonLogLine_escapesEverythingJsonNeeds() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "say \"hi\"\n\tand\\go\u0001");
        record.setLoggerName("x");
        String line = new Logs.JsonFormatter("d").format(record);
        var node = Json.mapper().readTree(line);
        assertThat(node.path("msg").asText()).isEqualTo("say \"hi\"\n\tand\\go\u0001");
        assertThat(node.path("level").asText()).isEqualTo("WARN");
        LogRecord nested = new LogRecord(Level.INFO, "m");
        nested.setParameters(new Object[] {Map.of("list", java.util.List.of(1, "two"), "ratio", 0.5, "ok", true)});
        var n2 = Json.mapper().readTree(new Logs.JsonFormatter("d").format(nested));
        assertThat(n2.path("list").get(1).asText()).isEqualTo("two");
        assertThat(n2.path("ratio").asDouble()).isEqualTo(0.5);
        assertThat(n2.path("ok").asBoolean()).isTrue();
    }

    @Test
    void fastPath_skipsTextThatCannotHoldASecret() {
        assertThat(Redact.mayHold("GET /v1/embed 200")).isFalse();
        assertThat(Redact.mayHold("call 123456789")).isTrue();
        assertThat(Redact.mayHold("Authorization: BEARER x")).isTrue();
    }

    @Test
    void ordinaryText_isKept() {
        assertThat(Redact.text("GET /v1/embed 200 in 3 ms")).isEqualTo("GET /v1/embed 200 in 3 ms");
    }

    @Test
    void jsonLogLine_hasFieldsAndIsRedacted() throws Exception {
        LogRecord record = new LogRecord(Level.INFO, "request");
        record.setLoggerName("lakehouse.access");
        record.setParameters(new Object[] {Map.of("path", "/v1/x/123-45-6789", "status", 200)});
        String line = new Logs.JsonFormatter("embedd").format(record);
        var node = Json.mapper().readTree(line);
        assertThat(node.path("daemon").asText()).isEqualTo("embedd");
        assertThat(node.path("level").asText()).isEqualTo("INFO");
        assertThat(node.path("status").asInt()).isEqualTo(200);
        assertThat(line).doesNotContain("123-45-6789").endsWith("\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "OPENROUTER_API_KEY|sk-or-v1-5f2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b",
            "MOONSHOT_API_KEY|Zm9vYmFyYmF6cXV4cXV1eA==",
            "VECTORD_S3_ACCESS_KEY|AKIAIOSFODNN7EXAMPLE",
            "VECTORD_S3_SECRET_KEY|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "OPENCODE_API_KEY|3f0c6a52-1b7e-4d8e-9a34-0c2b5d7e9f11",
            "OLLAMA_API_KEY|plainwordkey"})
    void configuredSecrets_ofAnyShape_neverReachALogLineOrAnErrorBody(String variable, String key) throws Exception {
        EnvConfig env = EnvConfig.of(Map.of(variable, key));
        assertThat(env.secret(variable)).contains(key);
        LogRecord record = new LogRecord(Level.SEVERE, "provider answered 401 for " + key);
        record.setLoggerName("x");
        record.setParameters(new Object[] {Map.of("settings", "key=" + key)});
        record.setThrown(new IllegalStateException("call with " + key + " failed"));
        String line = new Logs.JsonFormatter("chatd").format(record);
        assertThat(line).doesNotContain(key);
        Problem problem = Problem.of(502, "upstream_failed", "upstream said: invalid key '" + key + "'", "chatd", "r1", "openrouter");
        assertThat(new String(problem.toBytes(), java.nio.charset.StandardCharsets.UTF_8)).doesNotContain(key).contains("***");
    }

    @Test
    void register_ignoresValuesTooShortToBeAKey() {
        Redact.register("ab");
        assertThat(Redact.text("about a cab")).isEqualTo("about a cab");
    }
}
