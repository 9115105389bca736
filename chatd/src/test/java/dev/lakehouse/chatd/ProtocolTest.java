package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The two wire protocols line by line, Retry-After parsing, and the cooldown window. */
class ProtocolTest {
    final List<String> deltas = new ArrayList<>();
    final Protocol.StreamState state = new Protocol.StreamState(deltas::add);

    @Test
    void openAi_skipsCommentsAndFields_readsDeltas_finish_usage_andDone() {
        OpenAiProtocol p = new OpenAiProtocol();
        assertThat(p.line(": OPENROUTER PROCESSING", state)).isFalse();
        assertThat(p.line("", state)).isFalse();
        assertThat(p.line("event: message", state)).isFalse();
        assertThat(p.line("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\r",
                state)).isTrue();
        p.line("data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"},\"finish_reason\":\"length\"}]}", state);
        p.line("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}", state);
        assertThat(state.isDone()).isFalse();
        p.line("data: [DONE]", state);
        assertThat(state.isDone()).isTrue();
        assertThat(deltas).containsExactly("Hi", " there");
        assertThat(state.reply()).isEqualTo(new Chat.Reply("Hi there", "length", new Chat.Usage(5, 2, 7)));
    }

    @Test
    void openAi_readsMoonshotsUsageInsideTheChoice() {
        new OpenAiProtocol().line("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\","
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}]}", state);
        assertThat(state.reply().usage()).isEqualTo(new Chat.Usage(9, 4, 13));
    }

    @Test
    void openAi_anErrorChunk_isAStreamError() {
        assertThatThrownBy(() -> new OpenAiProtocol().line("data: {\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\"},"
                + "\"choices\":[{\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}", state))
                .isInstanceOfSatisfying(ProviderError.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderError.Kind.STREAM_ERROR);
                    assertThat(e.getMessage()).contains("Rate limit exceeded", "429");
                });
    }

    @Test
    void openAi_garbage_isABadResponse_andAnEmptyWholeAnswerIsEmpty() {
        assertThatThrownBy(() -> new OpenAiProtocol().line("data: {not json", state))
                .isInstanceOfSatisfying(ProviderError.class, e -> assertThat(e.kind()).isEqualTo(ProviderError.Kind.BAD_RESPONSE));
        assertThatThrownBy(() -> new OpenAiProtocol().reply("{\"choices\":[]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ProviderError.class, e -> assertThat(e.kind()).isEqualTo(ProviderError.Kind.EMPTY));
        assertThatThrownBy(() -> new OpenAiProtocol().reply(
                "{\"choices\":[{\"message\":{\"content\":null},\"finish_reason\":\"stop\"}]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ProviderError.class, e -> assertThat(e.kind()).isEqualTo(ProviderError.Kind.EMPTY));
    }

    @Test
    void ollama_readsNdjson_untilDone_withItsCounts() {
        OllamaProtocol p = new OllamaProtocol();
        p.line("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}", state);
        p.line("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}", state);
        p.line("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"length\","
                + "\"prompt_eval_count\":11,\"eval_count\":2}", state);
        assertThat(state.isDone()).isTrue();
        assertThat(deltas).containsExactly("Hel", "lo");
        assertThat(state.reply()).isEqualTo(new Chat.Reply("Hello", "length", new Chat.Usage(11, 2, 13)));
    }

    @Test
    void ollama_anErrorLineInA200Stream_isAStreamError() {
        assertThatThrownBy(() -> new OllamaProtocol().line("{\"error\":\"llama runner process has terminated\"}", state))
                .isInstanceOfSatisfying(ProviderError.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderError.Kind.STREAM_ERROR);
                    assertThat(e.getMessage()).contains("llama runner process has terminated");
                });
    }

    @Test
    void ollama_request_carriesOptions_onlyWhenSet() {
        Chat.Call call = new Chat.Call(List.of(new Chat.Message("user", "hi")), null, null, List.of(), List.of());
        assertThat(new String(new OllamaProtocol().request(call, "m", true), StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}");
        Chat.Call tuned = new Chat.Call(call.messages(), 0.5, 10, List.of("END"), List.of());
        assertThat(new String(new OpenAiProtocol().request(tuned, "m", true), StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5,"
                        + "\"max_tokens\":10,\"stop\":[\"END\"],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(new String(new OllamaProtocol().request(tuned, "m", false), StandardCharsets.UTF_8))
                .isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,"
                        + "\"options\":{\"temperature\":0.5,\"num_predict\":10,\"stop\":[\"END\"]}}");
    }

    @Test
    void errorTexts_fromEachShape() {
        assertThat(new OllamaProtocol().errorText("{\"error\":\"model 'x' not found\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("model 'x' not found");
        assertThat(new OpenAiProtocol().errorText("{\"error\":{\"message\":\"Invalid API key\",\"code\":401}}"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo("Invalid API key");
        assertThat(new OpenAiProtocol().errorText("<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("<html>bad gateway</html>");
    }

    @Test
    void retryAfter_secondsOrHttpDate() {
        assertThat(Provider.retryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Provider.retryAfter("0.5")).isEqualTo(Duration.ofMillis(500));
        String in10s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        assertThat(Provider.retryAfter(in10s)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(Provider.retryAfter("soon")).isNull();
    }

    @Test
    void cooldown_startsAtTheNthFailureWithinTheWindow_andEnds() {
        dev.lakehouse.common.testing.MutableClock clock = new dev.lakehouse.common.testing.MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        Cooldown c = new Cooldown(3, Duration.ofSeconds(60), Duration.ofSeconds(5), clock);
        assertThat(c.failure()).isFalse();
        clock.advance(Duration.ofSeconds(61));   // the first failure leaves the window
        assertThat(c.failure()).isFalse();
        assertThat(c.failure()).isFalse();
        c.success();                          // a success forgets them
        assertThat(c.failure()).isFalse();
        assertThat(c.failure()).isFalse();
        assertThat(c.failure()).isTrue();
        assertThat(c.coolingUntil()).contains(clock.instant().plusSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertThat(c.coolingUntil()).isEmpty();
    }
}
