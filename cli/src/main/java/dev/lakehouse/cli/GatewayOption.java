package dev.lakehouse.cli;

import dev.lakehouse.common.DaemonId;
import java.net.URI;
import picocli.CommandLine.Option;

/** {@code --gateway}, for the commands that go through this stack's gateway (a picocli mixin). */
final class GatewayOption {
    @Option(names = "--gateway", paramLabel = "URL", description = "this stack's gateway (default: LAKEHOUSE_GATEWAY_URL, else the local port)")
    URI given;

    /** The gateway named, else {@code LAKEHOUSE_GATEWAY_URL}, else the gateway's port on this machine. */
    URI url(LocalStack stack) {
        return given != null ? given : stack.env().url("LAKEHOUSE_GATEWAY_URL", stack.url(DaemonId.GATEWAY));
    }
}
