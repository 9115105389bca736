package dev.lakehouse.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lakehouse.common.DaemonId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lakehouse images [DAEMON…]}: a container image per daemon, built without Docker (docs/deploy.md). Makes the
 * runtime root once ({@code deploy/image/runtime.sh}: a jlinked Java runtime and the C libraries it needs), then runs
 * Jib's {@code buildTar} for each daemon with its main class, its JVM flags from {@code etc/jvm.env} and its port:
 * {@code <module>/target/jib/<daemon>.tar}, image {@code lakehouse/<daemon>:<version>}, to load with
 * {@code docker load}/{@code ctr import} or push with {@code crane}/{@code skopeo}.
 */
@Command(name = "images", description = "Build a container image per daemon (Jib, no Docker): <module>/target/jib/<daemon>.tar.")
final class ImagesCommand extends LakehouseCli.Base {
    @Parameters(arity = "0..*", paramLabel = "DAEMON", description = "daemons (default: all)")
    List<String> names;

    @Option(names = "--offline", description = "Maven offline (-o): the Jib plugin is already in the local repository")
    boolean offline;

    /** The tar of a daemon's image. */
    static Path tar(Path home, DaemonId d) {
        return home.resolve(d.module()).resolve("target/jib").resolve(d.daemonName() + ".tar");
    }

    String image(DaemonId d) {
        return K8sManifests.image(d, K8sManifests.registry(stack.env()));
    }

    @Override
    public Integer call() throws Exception {
        Path home = stack.home();
        JvmFlags flags = JvmFlags.load(home);
        Path runtime = home.resolve("target/image-runtime");
        // the modules first, once (the runtime carries what the native libraries inside their jars link, so they must be
        // there to be read); then one Jib call per daemon, with nothing to build again
        List<String> modules = select(names).stream().map(DaemonId::module).distinct().toList();
        List<String> pkg = new ArrayList<>(List.of(home.resolve("mvnw").toString(), "-B", "-q"));
        if (offline) {
            pkg.add("-o");
        }
        pkg.addAll(List.of("-DskipTests", "-pl", String.join(",", modules), "-am", "package"));
        out().println("images: building " + String.join(", ", modules) + " …");
        out().flush();
        if (run(pkg, home) != 0) {
            err().println("images: " + String.join(", ", modules) + " could not be built (the Maven output is above)");
            return 1;
        }
        if (run(List.of(home.resolve("deploy/image/runtime.sh").toString(), runtime.toString()), home) != 0) {
            err().println("images: the runtime root could not be made (deploy/image/runtime.sh)");
            return 1;
        }
        for (DaemonId d : select(names)) {
            List<String> cmd = new ArrayList<>(List.of(home.resolve("mvnw").toString(), "-B", "-q"));
            if (offline) {
                cmd.add("-o");
            }
            cmd.addAll(List.of("-DskipTests", "-pl", d.module(), "com.google.cloud.tools:jib-maven-plugin:buildTar",
                    "-Djib.to.image=" + image(d), "-Djib.outputPaths.tar=" + tar(home, d),
                    "-Djib.container.mainClass=" + d.mainClass(), "-Djib.container.jvmFlags=" + String.join(",", flags.flags().get(d)),
                    "-Djib.container.ports=" + d.defaultPort(), "-Dlakehouse.image.runtime=" + runtime));
            out().println("images: " + d.daemonName() + " …");
            out().flush();
            if (run(cmd, home) != 0 || !Files.exists(tar(home, d))) {
                err().println("images: " + d.daemonName() + " failed (the Maven output is above)");
                return 1;
            }
            out().printf("images: %-10s %s  %s (%d MiB)%n", d.daemonName(), image(d), home.relativize(tar(home, d)),
                    Files.size(tar(home, d)) >> 20);
        }
        return 0;
    }

    private static int run(List<String> cmd, Path dir) throws Exception {
        return new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start().waitFor();
    }
}
