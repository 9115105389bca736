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
}
