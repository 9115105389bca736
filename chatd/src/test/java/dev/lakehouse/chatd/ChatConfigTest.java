package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.EnvConfig;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class ChatConfigTest {
    @Test
    void toString_neverShowsAProviderKey_whateverItsShape() {
        Map<String, String> keys = Map.of(
                "OPENROUTER_API_KEY", "sk-or-v1-5f2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b",
                "MOONSHOT_API_KEY", "Zm9vYmFyYmF6cXV4cXV1eA==",
                "OPENCODE_API_KEY", "3f0c6a52-1b7e-4d8e-9a34-0c2b5d7e9f11",
                "OLLAMA_API_KEY", "plainwordkey");
        ChatdConfig config = ChatdConfig.from(EnvConfig.of(keys));
        String text = config.toString();
        keys.values().forEach(key -> assertThat(text).doesNotContain(key));
        assertThat(text).contains("OPENROUTER_API_KEY (set)");
        assertThat(config.providers().get(2).key()).isEqualTo(keys.get("OPENROUTER_API_KEY"));
    }

    @Test
    void theLocalProvider_existsOnlyWithAModelFile_namedAfterIt_andInItsOrder() {
        assertThat(ChatdConfig.from(EnvConfig.of(Map.of())).local()).isEmpty();
        ChatdConfig one = ChatdConfig.from(EnvConfig.of(Map.of("CHATD_LOCAL_MODEL", "/m/SmolLM2-360M-Instruct-Q8_0.gguf",
                "CHATD_DEFAULT_PROVIDER", "local")));
        assertThat(one.local().orElseThrow().models().keySet()).containsExactly("SmolLM2-360M-Instruct-Q8_0");
        assertThat(one.defaultTarget()).isEqualTo(new Chat.Target("local", "SmolLM2-360M-Instruct-Q8_0"));
        ChatdConfig named = ChatdConfig.from(EnvConfig.of(Map.of("CHATD_LOCAL_MODEL", "zeta=/m/z.gguf, alpha=/m/a.gguf")));
        assertThat(named.local().orElseThrow().models().keySet()).containsExactly("zeta", "alpha");
        assertThat(named.local().orElseThrow().concurrency()).isEqualTo(1);
        for (Map<String, String> bad : java.util.List.of(
                Map.of("CHATD_DEFAULT_PROVIDER", "local"),
                Map.of("CHATD_FALLBACK", "local/tiny"),
                Map.of("CHATD_LOCAL_MODEL", "a=/m/a.gguf,a=/m/b.gguf"),
                Map.of("CHATD_LOCAL_MODEL", "bad name=/m/a.gguf"),
                Map.of("CHATD_LOCAL_MODEL", "x="),
                Map.of("CHATD_LOCAL_MODEL", "/m/a.gguf", "CHATD_LOCAL_CONCURRENCY", "0"),
                Map.of("CHATD_LOCAL_MODEL", "/m/a.gguf", "CHATD_LOCAL_CONTEXT", "12"))) {
            Assertions.assertThatThrownBy(() -> ChatdConfig.from(EnvConfig.of(bad))).as(bad.toString())
                    .isInstanceOf(ConfigException.class);
        }
    }
}
