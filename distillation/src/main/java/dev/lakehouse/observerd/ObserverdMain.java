package dev.lakehouse.observerd;

import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.observerd.EventStore;
import dev.lakehouse.observerd.ObserverdRoutes;

/** observerd (4223): collects run observations into fsynced daily JSON-lines files. See docs/observer.md. */
public final class ObserverdMain {
    private ObserverdMain() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        builder(ObserverdConfig.from(env), env).start();
    }

    /** observerd, wired; its event files are indexed after the server starts (/ready is 503 until then). */
    static DaemonServer.Builder builder(ObserverdConfig config, EnvConfig env) {
        DaemonServer.Builder builder = DaemonServer.builder(DaemonId.OBSERVERD, env).maxBodyBytes(ObserverdConfig.MAX_BODY_BYTES);
        EventStore store = new EventStore(builder.dataDir().resolve("events"), builder.metrics().registry());
        return builder.routing(r -> r.register("/v1/observe", new ObserverdRoutes(store)))
                .erasures("/v1/observe/erasures", e -> store.erase(e.subject()))
                .readiness("events", store::readiness)
                .onStop("events", store::close)
                .afterStart("events", store::load);
    }
}
