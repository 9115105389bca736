package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An event's payload is kept as JSON text, written raw, and read back from the spool. */
class ObserverEventTest {
    @Test
    void thePayload_isWrittenRaw_andReadBackAsText() throws Exception {
        Observer.Event e = new Observer.Event("id", "2026-01-01T00:00:00Z", "k", "d", null, "{\"a\":[1,2],\"b\":\"x\"}");
        String json = new String(Json.bytes(e), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"payload\":{\"a\":[1,2],\"b\":\"x\"}");
        assertThat(Json.mapper().readValue(json, Observer.Event.class)).isEqualTo(e);
    }
}
