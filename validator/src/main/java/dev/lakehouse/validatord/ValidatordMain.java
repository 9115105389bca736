package dev.lakehouse.validatord;


import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.validatord.client.ChatdClient;
import dev.lakehouse.validatord.client.PathwaydClient;
import dev.lakehouse.validatord.client.TruthdClient;

/** validatord (4220): the worker roster, the fill and e-mail validators, /v1/validate and /v1/iterate. See docs/validator.md. */
public final class ValidatordMain {
    private ValidatordMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(ValidatordConfig.from(env), env).start();
    }

    /** validatord, wired; the roster starts loading in the background (tests start it embedded). */
    static DaemonServer.Builder builder(ValidatordConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.VALIDATORD, env).maxBodyBytes(ValidatordConfig.MAX_BODY_BYTES);
        RosterHolder roster = new RosterHolder(config.roster(), builder.dataDir().resolve("roster.snapshot"),
                config.rosterUrl() == null ? null : new RosterFetch(config.rosterUrl(), config.rosterMaxBytes(), java.time.Duration.ofMinutes(10)))
                .loadInBackground();
        Observer observer = builder.observer();
        PeerClient chatd = builder.peer(DaemonId.CHATD, config.chatTimeout());
        StaleRoster stale = config.truth() ? new StaleRoster(new TruthdClient(builder.peer(DaemonId.TRUTHD, config.truthTimeout()))) : null;
        Validation validation = new Validation(roster, observer, stale);
        PathwaydClient playbooks = config.playbooks() ? new PathwaydClient(builder.peer(DaemonId.PATHWAYD, config.playbookTimeout()), config.playbookQueue(),
                builder.metrics().registry()) : null;
        return builder.routing(r -> r.register("/v1", new ValidatordRoutes(roster, validation,
                        new IterateLoop(validation, new ChatdClient(chatd), observer, playbooks == null ? p -> { } : playbooks::record))))
                .erasures("/v1/roster/erasures", e -> roster.erase(e.subject()), ValidatordMain::rosterText, config.roster())
                .readiness("roster", roster::readiness)
                .onStop("playbooks", () -> {
                    if (playbooks != null) {
                        playbooks.close();
                    }
                });
    }

    /** The scan's reader for Parquet files (the roster's pages are compressed): their rows as text. */
    private static java.util.Optional<String> rosterText(java.nio.file.Path f) {
        if (!f.getFileName().toString().endsWith(".parquet")) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(dev.lakehouse.validatord.roster.RosterErasure.text(f));
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
