package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;

/** The OpenAI shapes as records write exactly the bytes the hand-built JSON wrote before them (issue 30): nulls included. */
class ChatdWireTest {
    static String json(Object o) {
        return new String(Json.bytes(o), StandardCharsets.UTF_8);
    }

    @Test
    void completion_asOpenAiWritesIt_usageOnlyWhenKnown() {
        Chat.Completion c = new Chat.Completion(new Chat.Target("ollama", "qwen2.5:7b"), "Hi", "stop", new Chat.Usage(3, 1, 4), 12.5, 3.0,
                List.of());
        assertThat(json(ChatdWire.Completion.of("chatcmpl-1", 7, c))).isEqualTo("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
                + "\"created\":7,\"model\":\"ollama/qwen2.5:7b\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\","
                + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4}}");
        Chat.Completion noUsage = new Chat.Completion(new Chat.Target("ollama", "m"), "Hi", null, null, 1, null, List.of());
        assertThat(json(ChatdWire.Completion.of("x", 1, noUsage))).isEqualTo("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"ollama/m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}]}");
    }

    @Test
    void chunks_deltaWithoutNulls_finishReasonAlways_usageChunkWithEmptyChoices() {
        assertThat(json(new ChatdWire.Chunk("c", "chat.completion.chunk", 5, "ollama/m",
                List.of(new ChatdWire.ChunkChoice(0, new ChatdWire.Delta("assistant", ""), null, null)), null)))
                .isEqualTo("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":\"ollama/m\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}");
        assertThat(json(new ChatdWire.Chunk("c", "chat.completion.chunk", 5, "ollama/m",
                List.of(new ChatdWire.ChunkChoice(0, new ChatdWire.Delta(null, null), null, "length")), null)))
                .contains("\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"");
        assertThat(json(new ChatdWire.Chunk("c", "chat.completion.chunk", 5, "ollama/m", List.of(), new Chat.Usage(1, 2, 3))))
                .endsWith("\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}");
    }

    @Test
    void streamDone_writesNullsButNotAMissingUsage() {
        assertThat(json(new ChatdWire.StreamDone("ollama", "m", null, null, 10.0, null, List.of())))
                .isEqualTo("{\"provider\":\"ollama\",\"model\":\"m\",\"finish_reason\":null,\"latency_ms\":10.0,\"ttft_ms\":null,\"attempts\":[]}");
    }
}
