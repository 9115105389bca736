package dev.lakehouse.chatd;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.EnvConfig;

/**
 * chatd's settings, each from its environment variable (docs/chatd.md).
 *
 * @param defaultTarget   {@code CHATD_DEFAULT_PROVIDER} (ollama) and {@code CHATD_DEFAULT_MODEL} (qwen2.5:7b; empty: none)
 * @param defaultChain    {@code CHATD_FALLBACK}: provider/model targets tried after the request's own, comma-separated
 * @param providers       the five providers, their base URLs ({@code CHATD_<P>_URL}), keys and known models
 * @param timeouts        {@code CHATD_CONNECT_TIMEOUT} 2s, {@code CHATD_TIMEOUT} 120s (a whole answer),
 *                        {@code CHATD_FIRST_TOKEN_TIMEOUT} 30s, {@code CHATD_CHUNK_TIMEOUT} 30s,
 *                        {@code CHATD_STREAM_MAX} 10m, {@code CHATD_HEARTBEAT} 10s
 * @param maxRetries      {@code CHATD_RETRIES} 2: retries of one target after a transient failure
 * @param retryBackoff    {@code CHATD_RETRY_BACKOFF} 250ms, doubled per retry, jittered
 * @param retryAfterMax   {@code CHATD_RETRY_AFTER_MAX} 10s: a longer Retry-After moves on to the next target instead
 * @param cooldownFailures {@code CHATD_COOLDOWN_FAILURES} 3 transient failures …
 * @param cooldownWindow  … within {@code CHATD_COOLDOWN_WINDOW} 60s …
 * @param cooldown        … cool the provider down for {@code CHATD_COOLDOWN} 5s
 * @param maxMessages     {@code CHATD_MAX_MESSAGES} 1000 messages per request
 * @param local           the in-process provider {@code local}, when {@code CHATD_LOCAL_MODEL} names a GGUF file (docs/chatd.md)
 * @param budgets         {@code LAKEHOUSE_BUDGETS_FILE}: spend budgets per key (absent: every key unlimited)
 * @param prices          {@code CHATD_PRICES_FILE}: the price table (absent: the built-in etc/prices.json)
 * @param budgetMaxTokens {@code CHATD_BUDGET_MAX_TOKENS} 1024: the max_tokens a budgeted key's call gets when it asks none
 */
record ChatdConfig(Chat.Target defaultTarget, List<Chat.Target> defaultChain, List<Provider.Settings> providers,
                  Provider.Timeouts timeouts, int maxRetries, Duration retryBackoff, Duration retryAfterMax,
                  int cooldownFailures, Duration cooldownWindow, Duration cooldown, int maxMessages,
                  java.util.Optional<LocalProvider.Settings> local, dev.lakehouse.common.Budgets budgets, Prices prices,
                  int budgetMaxTokens) {
    /** Default body limit: a conversation (the operator's {@code CHATD_MAX_BODY_BYTES} overrides it) */
    static final long MAX_BODY_BYTES = dev.lakehouse.common.DaemonServer.DEFAULT_MAX_BODY_BYTES;


    static final List<String> PROVIDERS = List.of("ollama", "ollama_cloud", "openrouter", "kimi", "opencode", LocalProvider.NAME);

    /** OpenCode Zen models reachable only through its other endpoints (docs/chatd.md). */
    static final Map<String, String> OPENCODE_OTHER_ENDPOINTS = orderedMap(
            "claude-", "/messages (Anthropic)", "gpt-", "/responses (OpenAI Responses)", "gemini-", "/models (Google)");

    static ChatdConfig from(EnvConfig env) {
        List<Provider.Settings> providers = List.of(
                settings(env, "ollama", new OllamaProtocol(), "http://127.0.0.1:11434", null, Map.of()),
                settings(env, "ollama_cloud", new OllamaProtocol(), "https://ollama.com", "OLLAMA_API_KEY", Map.of()),
                settings(env, "openrouter", new OpenAiProtocol(), "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", Map.of()),
                settings(env, "kimi", new OpenAiProtocol(), "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY", Map.of()),
                settings(env, "opencode", new OpenAiProtocol(), "https://opencode.ai/zen/v1", "OPENCODE_API_KEY",
                        OPENCODE_OTHER_ENDPOINTS));
        java.util.Optional<LocalProvider.Settings> local = local(env);
        String provider = env.string("CHATD_DEFAULT_PROVIDER", "ollama");
        requireProvider(provider, "CHATD_DEFAULT_PROVIDER");
        if (provider.equals(LocalProvider.NAME) && local.isEmpty()) {
            throw new ConfigException("CHATD_DEFAULT_PROVIDER is local but CHATD_LOCAL_MODEL names no model file");
        }
        Chat.Target defaultTarget = new Chat.Target(provider, env.string("CHATD_DEFAULT_MODEL",
                provider.equals(LocalProvider.NAME) ? local.get().models().keySet().iterator().next() : "qwen2.5:7b"));
        List<Chat.Target> chain = new ArrayList<>();
        for (String raw : env.string("CHATD_FALLBACK", "").split(",")) {
            String item = raw.strip();
            if (item.isEmpty()) {
                continue;
            }
            int slash = item.indexOf('/');
            if (slash <= 0 || slash == item.length() - 1) {
                throw new ConfigException("CHATD_FALLBACK: '" + item + "' is not provider/model");
            }
            requireProvider(item.substring(0, slash), "CHATD_FALLBACK");
            if (item.startsWith(LocalProvider.NAME + "/") && local.isEmpty()) {
                throw new ConfigException("CHATD_FALLBACK names local, but CHATD_LOCAL_MODEL names no model file");
            }
            chain.add(new Chat.Target(item.substring(0, slash), item.substring(slash + 1)));
        }
        Provider.Timeouts timeouts = new Provider.Timeouts(
                env.duration("CHATD_CONNECT_TIMEOUT", Duration.ofSeconds(2)),
                env.duration("CHATD_TIMEOUT", Duration.ofSeconds(120)),
                env.duration("CHATD_FIRST_TOKEN_TIMEOUT", Duration.ofSeconds(30)),
                env.duration("CHATD_CHUNK_TIMEOUT", Duration.ofSeconds(30)),
                env.duration("CHATD_STREAM_MAX", Duration.ofMinutes(10)),
                env.duration("CHATD_HEARTBEAT", Duration.ofSeconds(10)));
        return new ChatdConfig(defaultTarget, List.copyOf(chain), providers, timeouts,
                env.integer("CHATD_RETRIES", 2, 0, 10),
                env.duration("CHATD_RETRY_BACKOFF", Duration.ofMillis(250)),
                env.duration("CHATD_RETRY_AFTER_MAX", Duration.ofSeconds(10)),
                env.integer("CHATD_COOLDOWN_FAILURES", 3, 1, 1000),
                env.duration("CHATD_COOLDOWN_WINDOW", Duration.ofSeconds(60)),
                env.duration("CHATD_COOLDOWN", Duration.ofSeconds(5)),
                env.integer("CHATD_MAX_MESSAGES", 1000, 1, 100_000),
                local,
                env.get("LAKEHOUSE_BUDGETS_FILE").map(java.nio.file.Path::of).map(dev.lakehouse.common.Budgets::load)
                        .orElse(dev.lakehouse.common.Budgets.none()),
                Prices.load(env.get("CHATD_PRICES_FILE").map(java.nio.file.Path::of)),
                env.integer("CHATD_BUDGET_MAX_TOKENS", 1024, 1, 1_000_000));
    }

    private static Provider.Settings settings(EnvConfig env, String name, Protocol protocol, String defaultUrl,
                                              String keyEnv, Map<String, String> otherEndpoints) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        URI base = env.url("CHATD_" + upper + "_URL", URI.create(defaultUrl));
        String key = keyEnv == null ? null : env.secret(keyEnv).orElse(null);
        List<String> models = Arrays.stream(env.string("CHATD_" + upper + "_MODELS", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        return new Provider.Settings(name, protocol, base, keyEnv, key, models, otherEndpoints);
    }

    private static void requireProvider(String name, String variable) {
        if (!PROVIDERS.contains(name)) {
            throw new ConfigException(variable + ": unknown provider '" + name + "'; known: " + String.join(", ", PROVIDERS));
        }
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** None when {@code CHATD_LOCAL_MODEL} is not set: the provider does not exist. */
    static java.util.Optional<LocalProvider.Settings> local(EnvConfig env) {
        java.util.Optional<String> raw = env.get("CHATD_LOCAL_MODEL").map(String::strip).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            return java.util.Optional.empty();
        }
        java.util.Map<String, java.nio.file.Path> models = new java.util.LinkedHashMap<>();
        for (String item : raw.get().split(",")) {
            String entry = item.strip();
            int eq = entry.indexOf('=');
            String name = eq > 0 ? entry.substring(0, eq).strip() : null;
            String file = eq > 0 ? entry.substring(eq + 1).strip() : entry;
            if (file.isEmpty()) {
                throw new ConfigException("CHATD_LOCAL_MODEL: '" + entry + "' names no file");
            }
            if (name == null) {
                String base = java.nio.file.Path.of(file).getFileName().toString();
                name = base.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? base.substring(0, base.length() - 5) : base;
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
                throw new ConfigException("CHATD_LOCAL_MODEL: the model name '" + name + "' must be letters, digits and . _ : -");
            }
            if (models.put(name, java.nio.file.Path.of(file)) != null) {
                throw new ConfigException("CHATD_LOCAL_MODEL: the model name '" + name + "' is given twice");
            }
        }
        return java.util.Optional.of(new LocalProvider.Settings(java.util.Collections.unmodifiableMap(models), env.integer("CHATD_LOCAL_CONTEXT", 2048, 64, 1 << 20),
                env.integer("CHATD_LOCAL_THREADS", Runtime.getRuntime().availableProcessors(), 1, 512),
                env.integer("CHATD_LOCAL_CONCURRENCY", 1, 1, 64), env.integer("CHATD_LOCAL_QUEUE", 8, 0, 10_000),
                env.duration("CHATD_LOCAL_QUEUE_TIMEOUT", java.time.Duration.ofSeconds(30)), env.integer("CHATD_LOCAL_SEED", -1, -1,
                        Integer.MAX_VALUE)));
    }
}
