package dev.lakehouse.validator;

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
 */
record ValidatordConfig(Path roster, Duration chatTimeout, boolean playbooks) {
    static ValidatordConfig from(EnvConfig env) {
        return new ValidatordConfig(ValidatordMain.rosterPath(env), env.duration("VALIDATORD_CHAT_TIMEOUT", Duration.ofSeconds(300)),
                env.bool("VALIDATORD_PLAYBOOKS", true));
    }
}
