package dev.lakehouse.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.lakehouse.common.DaemonId;

/**
 * The systemd units of one machine (docs/deploy.md): {@code lakehouse-<daemon>.service} for each of the eleven and
 * {@code lakehouse.target} that wants them, rendered from {@link DaemonId} (port, jar, main class) and
 * {@code etc/jvm.env} (flags, memory limit). {@code systemd/} holds what this renders; {@code SystemdUnitsTest} checks
 * that it still does, so the units cannot drift from the CLI's table.
 *
 * <p>Readiness is an {@code ExecStartPost=} gate, {@code lakehouse-await-ready}, that polls {@code /ready} until it
 * answers 200 (the unit is "activating" until then, and fails when it does not within the start timeout): the JVM
 * cannot sd_notify without native code — {@code NOTIFY_SOCKET} is a datagram socket, which Java's Unix-domain
 * channels do not open — and the gate needs nothing but bash.
 */
final class SystemdUnits {
    /** Where the install puts the jars, the JDK link, {@code etc/jvm.env} and the gate. */
    static final String PREFIX = "/usr/lib/lakehouse";
    static final int START_TIMEOUT_S = 150;
    /** Longer than the daemon's drain ({@code LAKEHOUSE_SHUTDOWN_GRACE}, 10 s) and its stop hooks. */
    static final int STOP_TIMEOUT_S = 30;

    static final Map<DaemonId, String> ABOUT = Map.ofEntries(
            Map.entry(DaemonId.GATEWAY, "the /v1 gateway: routing, keys, limits"),
            Map.entry(DaemonId.EMBEDD, "embeddings (the local model, or Ollama)"),
            Map.entry(DaemonId.VECTORD, "vector indexes (HNSW, WAL, snapshots)"),
            Map.entry(DaemonId.CHATD, "chat across providers with fallback"),
            Map.entry(DaemonId.MATRIXD, "retrieval over corpora of vectord indexes"),
            Map.entry(DaemonId.VALIDATORD, "the roster, the fill and e-mail validators, iterate"),
            Map.entry(DaemonId.TRUTHD, "claims and their resolution"),
            Map.entry(DaemonId.PATHWAYD, "bi-temporal memory and playbooks"),
            Map.entry(DaemonId.OBSERVERD, "the observations of every daemon"),
            Map.entry(DaemonId.JOURNALD, "the hash-chained journal of decisions"),
            Map.entry(DaemonId.DISTILLD, "observations into datasets, audits, replay"));

    private SystemdUnits() {
    }

    static String name(DaemonId d) {
        return "lakehouse-" + d.daemonName() + ".service";
    }

    /** Every file of {@code systemd/}: name → content. */
    static Map<String, String> render(JvmFlags flags) {
        Map<String, String> out = new LinkedHashMap<>();
        for (DaemonId d : DaemonId.values()) {
            out.put(name(d), unit(d, flags));
        }
        out.put("lakehouse.target", target());
        return out;
    }

    static String unit(DaemonId d, JvmFlags flags) {
        String n = d.daemonName();
        String state = "/var/lib/lakehouse/" + n;
        String logs = "/var/log/lakehouse/" + n;
        return """
                # Rendered by `bin/lakehouse render` from etc/jvm.env and the daemon table (docs/deploy.md); do not edit.
                [Unit]
                Description=Lakehouse %1$s (%2$d): %3$s
                Documentation=file://%4$s/docs/deploy.md
                PartOf=lakehouse.target
                After=network-online.target
                Wants=network-online.target
                # a crash loop stops here: at most 5 starts in 5 minutes, then the unit stays failed
                StartLimitIntervalSec=300
                StartLimitBurst=5

                [Service]
                Type=exec
                User=lakehouse
                Group=lakehouse
                EnvironmentFile=%4$s/etc/jvm.env
                # the machine's settings, then this daemon's own (providers' keys only in chatd.env)
                EnvironmentFile=-/etc/lakehouse/lakehouse.env
                EnvironmentFile=-/etc/lakehouse/%1$s.env
                Environment=LAKEHOUSE_DATA_DIR=/var/lib/lakehouse HOME=%5$s LAKEHOUSE_INTERNAL_TOKEN_FILE=/etc/lakehouse/internal-token
                StateDirectory=lakehouse/%1$s
                LogsDirectory=lakehouse/%1$s
                WorkingDirectory=%5$s
                ExecStart=%4$s/java $LAKEHOUSE_%7$s_JAVA_OPTS -cp %4$s/%8$s/%9$s.jar %10$s
                # active only once /ready answers 200 (see lakehouse-await-ready)
                ExecStartPost=%4$s/bin/lakehouse-await-ready %1$s %2$d %11$d
                TimeoutStartSec=%11$d
                # SIGTERM: readiness down, in-flight requests finish (10 s), stop hooks flush and fsync, exit 0
                TimeoutStopSec=%12$d
                SuccessExitStatus=143
                Restart=on-failure
                RestartSec=2
                # LAKEHOUSE_%7$s_MEMORY_MAX in /etc/lakehouse: the installer writes it as a drop-in (lakehouse-%1$s.service.d)
                MemoryMax=%13$s
                # hardening that keeps the JIT working (no MemoryDenyWriteExecute): exposure 1.5 (systemd-analyze security)
                NoNewPrivileges=yes
                ProtectSystem=strict
                ProtectHome=yes
                PrivateTmp=yes
                PrivateDevices=yes
                ReadWritePaths=%5$s %6$s
                CapabilityBoundingSet=
                AmbientCapabilities=
                ProtectKernelTunables=yes
                ProtectKernelModules=yes
                ProtectKernelLogs=yes
                ProtectControlGroups=yes
                ProtectClock=yes
                RestrictSUIDSGID=yes
                RestrictRealtime=yes
                RestrictNamespaces=yes
                LockPersonality=yes
                RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
                SystemCallArchitectures=native
                SystemCallFilter=@system-service
                SystemCallErrorNumber=EPERM
                PrivateMounts=yes
                ProtectHostname=yes
                ProtectProc=invisible
                RemoveIPC=yes
                UMask=0077

                [Install]
                WantedBy=lakehouse.target
                """.formatted(n, d.defaultPort(), ABOUT.get(d), PREFIX, state, logs, d.envName(), d.module(), d.module(), d.mainClass(),
                START_TIMEOUT_S, STOP_TIMEOUT_S, JvmFlags.mebibytes(flags.memoryMax().get(d)));
    }

    static String target() {
        StringBuilder wants = new StringBuilder();
        for (DaemonId d : DaemonId.values()) {
            wants.append(wants.isEmpty() ? "" : " ").append(name(d));
        }
        return """
                # Rendered by `bin/lakehouse render` (docs/deploy.md); do not edit.
                [Unit]
                Description=Lakehouse: all eleven daemons
                Documentation=file://%s/docs/deploy.md
                Wants=%s
                After=network-online.target

                [Install]
                WantedBy=multi-user.target
                """.formatted(PREFIX, wants);
    }
}
