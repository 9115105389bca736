package dev.lakehouse.embedd;

import java.util.List;

/** Where vectors come from: the in-process model or Ollama. */
interface Provider {
    /** {@code local} or {@code ollama}: the name callers see in {@code provider} and {@code owned_by}. */
    String name();

    /**
     * One vector per text, in order, exactly as the provider produced them. Throws an
     * {@link dev.lakehouse.common.ApiException} naming the provider when it fails.
     */
    List<float[]> embed(String model, List<String> texts);
}
