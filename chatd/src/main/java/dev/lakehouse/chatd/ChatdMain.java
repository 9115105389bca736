package dev.lakehouse.chatd;

import java.time.Clock;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Meters;
import dev.lakehouse.common.Observer;

/** chatd (4218): one chat API over ollama, ollama_cloud, openrouter, kimi, opencode and local (llama.cpp in process). See docs/chatd.md. */
public final class ChatdMain {
    private ChatdMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(ChatdConfig.from(env), env, Clock.systemUTC()).start();
    }

    /** chatd, wired and ready to start (tests start it embedded). */
    static DaemonServer.Builder builder(ChatdConfig config, EnvConfig env, Clock clock) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.CHATD, env).maxBodyBytes(ChatdConfig.MAX_BODY_BYTES);
        Observer observer = builder.observer();
        Meters meters = new Meters(builder.metrics().registry());
        Spend spend;
        try {
            spend = new Spend(config.budgets(), config.prices(), builder.dataDir().resolve("ledger"), meters, clock);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("chatd cannot read its spend ledger in " + builder.dataDir().resolve("ledger"), e);
        }
        Dispatcher dispatcher = new Dispatcher(config, new ChatMetrics(meters), observer, clock, spend);
        dispatcher.localReadiness().ifPresent(r -> builder.readiness("local", () -> dispatcher.localReadiness().orElseThrow()));
        return builder.routing(r -> r.register("/v1", new ChatdRoutes(dispatcher)))
                .onStop("local models", dispatcher::close)
                .onStop("spend ledger", () -> {
                    try {
                        spend.close();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
    }
}
