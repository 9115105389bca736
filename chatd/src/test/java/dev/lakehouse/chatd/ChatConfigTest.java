package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.lakehouse.common.EnvConfig;
import org.junit.jupiter.api.Test;

class ChatConfigTest {
    @Test
    void toString_neverShowsAProviderKey_whateverItsShape() {
        Map<String, String> keys = Map.of(
                "OPENROUTER_API_KEY", "sk-or-v1-5f2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b",
                "MOONSHOT_API_KEY", "Zm9vYmFyYmF6cXV4cXV1eA==",
                "OPENCODE_API_KEY", "3f0c6a52-1b7e-4d8e-9a34-0c2b5d7e9f11",
                "OLLAMA_API_KEY", "plainwordkey");
        ChatConfig config = ChatConfig.from(EnvConfig.of(keys));
        String text = config.toString();
        keys.values().forEach(key -> assertThat(text).doesNotContain(key));
        assertThat(text).contains("OPENROUTER_API_KEY (set)");
        assertThat(config.providers().get(2).key()).isEqualTo(keys.get("OPENROUTER_API_KEY"));
    }
}
