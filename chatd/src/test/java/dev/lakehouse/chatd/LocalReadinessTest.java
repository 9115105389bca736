package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.lakehouse.common.Readiness;
import org.junit.jupiter.api.Test;

/** chatd's /ready while local models load: each named; not ready only while the default target's model loads. */
class LocalReadinessTest {
    @Test
    void loadingModels_areNamed_andOnlyTheDefaultOneHoldsReadinessBack() {
        LocalModel loading = new LocalModel("smollm2", Path.of("/models/smollm2.gguf"));   // not loaded yet: LOADING
        LocalModel gone = new LocalModel("gone", Path.of("/nowhere/gone.gguf"));
        gone.load(128, 1, 1);   // no such file: UNAVAILABLE at once, without native code
        Map<String, LocalModel> models = new LinkedHashMap<>();
        models.put("smollm2", loading);
        models.put("gone", gone);

        Readiness other = LocalProvider.readiness(models, null);
        assertThat(other.isReady()).isTrue();
        assertThat(other.detail()).isEqualTo("loading smollm2; unavailable: gone (no such file: /nowhere/gone.gguf)");

        Readiness asDefault = LocalProvider.readiness(models, "smollm2");
        assertThat(asDefault.isReady()).isFalse();
        assertThat(asDefault.detail()).isEqualTo("loading smollm2, the default model");

        assertThat(LocalProvider.readiness(Map.of("gone", gone), "gone").isReady())
                .as("a default model that failed to load leaves chatd up: its requests are skipped with the reason").isTrue();
    }
}
