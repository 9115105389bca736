package dev.lakehouse.validatord;

import java.nio.file.Path;
import java.time.Duration;

import dev.lakehouse.common.EnvConfig;

/**
 * validatord's settings, each from its environment variable (docs/validator.md).
 *
 * @param roster      {@code LAKEHOUSE_ROSTER}, default {@code workers.parquet} in {@code LAKEHOUSE_DATA_DIR} (./data)
 * @param chatTimeout {@code VALIDATORD_CHAT_TIMEOUT}, default 300s: one generation through chatd in /v1/iterate
 * @param playbooks   {@code VALIDATORD_PLAYBOOKS}, default true: record a playbook in pathwayd ({@code LAKEHOUSE_PATHWAYD_URL})
 *                    when /v1/iterate ends with a valid fill
 * @param truth        {@code VALIDATORD_TRUTH}, default true: check a fill's workers against truthd
 *                     ({@code LAKEHOUSE_TRUTHD_URL}) for a stale roster
 * @param truthTimeout {@code VALIDATORD_TRUTH_TIMEOUT}, default 300ms: that check's deadline (then it is skipped)
 * @param playbookTimeout {@code VALIDATORD_PLAYBOOK_TIMEOUT}, default 10s: one playbook's write to pathwayd
 * @param playbookQueue   {@code VALIDATORD_PLAYBOOK_QUEUE}, default 1000: playbooks waiting to be written (past it one is dropped
 *                        and counted)
 * @param rosterUrl       {@code VALIDATORD_ROSTER_URL}, default none: fetch the roster from this http(s) URL (an object in
 *                        object storage) into {@code roster} at every start, before loading it — each replica its own copy
 * @param rosterMaxBytes  {@code VALIDATORD_ROSTER_MAX_BYTES}, default 2 GiB: a larger roster is refused
 */
record ValidatordConfig(Path roster, Duration chatTimeout, boolean playbooks, boolean truth, Duration truthTimeout,
                        Duration playbookTimeout, int playbookQueue, java.net.URI rosterUrl, long rosterMaxBytes) {
    /** Default body limit: a fill or an e-mail (the operator's {@code VALIDATORD_MAX_BODY_BYTES} overrides it) */
    static final long MAX_BODY_BYTES = dev.lakehouse.common.DaemonServer.DEFAULT_MAX_BODY_BYTES;

    static ValidatordConfig from(EnvConfig env) {
        return new ValidatordConfig(env.roster(), env.duration("VALIDATORD_CHAT_TIMEOUT", Duration.ofSeconds(300)),
                env.bool("VALIDATORD_PLAYBOOKS", true), env.bool("VALIDATORD_TRUTH", true),
                env.duration("VALIDATORD_TRUTH_TIMEOUT", Duration.ofMillis(300)),
                env.duration("VALIDATORD_PLAYBOOK_TIMEOUT", Duration.ofSeconds(10)), env.integer("VALIDATORD_PLAYBOOK_QUEUE", 1_000, 1, 1_000_000),
                env.url("VALIDATORD_ROSTER_URL", null), env.bytes("VALIDATORD_ROSTER_MAX_BYTES", 2L << 30));
    }
}
