package dev.lakehouse.distillation;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.distillation.observerd.EventStore;
import dev.lakehouse.distillation.observerd.ObserveRoutes;

/** observerd (4223): collects run observations into fsynced daily JSON-lines files. See docs/observer.md. */
public final class ObserverdMain {
    private ObserverdMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        DaemonServer.Builder builder = DaemonServer.builder("observerd", env, DaemonId.OBSERVERD.defaultPort())
                .maxBodyBytes(16L << 20);
        EventStore store = new EventStore(builder.dataDir().resolve("events"), builder.metrics().registry());
        builder.routing(r -> r.register("/v1/observe", new ObserveRoutes(store)))
                .readiness("events", store::readiness)
                .onStop("events", store::close)
                .start();
        store.load();
    }
}
