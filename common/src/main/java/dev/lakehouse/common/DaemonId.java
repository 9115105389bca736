package dev.lakehouse.common;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The eleven Lakehouse daemons: name, default port, the Maven module that holds
 * them and their main class (DESIGN.md §1). The operator CLI and the test harness
 * read this table; a daemon's own code only needs its {@link #envName()}.
 *
 * <p>A module holding several daemons builds one jar ({@code <module>/target/<module>.jar})
 * with one main class per daemon; daemons are started with {@code java -cp <jar> <main>}.
 */
public enum DaemonId {
    GATEWAY("gateway", 4200, "gateway", "dev.lakehouse.gateway.GatewayMain"),
    EMBEDD("embedd", 4216, "embedd", "dev.lakehouse.embedd.EmbeddMain"),
    VECTORD("vectord", 4217, "vectord", "dev.lakehouse.vectord.VectordMain"),
    CHATD("chatd", 4218, "chatd", "dev.lakehouse.chatd.ChatdMain"),
    MATRIXD("matrixd", 4219, "matrixd", "dev.lakehouse.matrixd.MatrixdMain"),
    VALIDATORD("validatord", 4220, "validator", "dev.lakehouse.validatord.ValidatordMain"),
    TRUTHD("truthd", 4221, "validator", "dev.lakehouse.truthd.TruthdMain"),
    PATHWAYD("pathwayd", 4222, "matrixd", "dev.lakehouse.pathwayd.PathwaydMain"),
    OBSERVERD("observerd", 4223, "distillation", "dev.lakehouse.observerd.ObserverdMain"),
    JOURNALD("journald", 4224, "distillation", "dev.lakehouse.journald.JournaldMain"),
    DISTILLD("distilld", 4225, "distillation", "dev.lakehouse.distilld.DistilldMain");

    private final String daemonName;
    private final int defaultPort;
    private final String module;
    private final String mainClass;

    DaemonId(String daemonName, int defaultPort, String module, String mainClass) {
        this.daemonName = daemonName;
        this.defaultPort = defaultPort;
        this.module = module;
        this.mainClass = mainClass;
    }

    /** The daemon's name as used in logs, problem bodies and the CLI, e.g. {@code embedd}. */
    public String daemonName() {
        return daemonName;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The Maven module directory that builds this daemon. */
    public String module() {
        return module;
    }

    public String mainClass() {
        return mainClass;
    }

    /** The jar that holds this daemon, relative to the repository root. */
    public String jarPath() {
        return module + "/target/" + module + ".jar";
    }

    /** The upper-case name used in environment variables: {@code LAKEHOUSE_EMBEDD_PORT}. */
    public String envName() {
        return envName(daemonName);
    }

    static String envName(String daemonName) {
        return daemonName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public static Optional<DaemonId> byName(String name) {
        return Arrays.stream(values()).filter(d -> d.daemonName.equals(name)).findFirst();
    }
}
