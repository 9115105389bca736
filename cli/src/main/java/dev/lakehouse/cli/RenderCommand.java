package dev.lakehouse.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse render [--check]}: the files made from {@code etc/jvm.env} and the daemon table — the systemd units
 * ({@code systemd/}) and the Kubernetes base ({@code deploy/k8s/base/}) — written into this checkout, or, with
 * {@code --check}, compared with what is there (exit 1 naming what drifted). docs/deploy.md.
 */
@Command(name = "render", description = "Render systemd/ and deploy/k8s/base/ from etc/jvm.env and the daemon table; --check compares.")
final class RenderCommand extends LakehouseCli.Base {
    @Option(names = "--check", description = "write nothing; exit 1 when a file differs from what would be rendered")
    boolean check;

    /** Every rendered file, by its path in the checkout. */
    static Map<String, String> files(JvmFlags flags) {
        return files(flags, K8sManifests.DEFAULT_REGISTRY);
    }

    /** Every rendered file, the images named under {@code registry}. */
    static Map<String, String> files(JvmFlags flags, String registry) {
        Map<String, String> out = new LinkedHashMap<>();
        SystemdUnits.render(flags).forEach((f, text) -> out.put("systemd/" + f, text));
        K8sManifests.render(flags, registry).forEach((f, text) -> out.put(K8sManifests.DIR + "/" + f, text));
        return out;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> files = files(JvmFlags.load(stack.home()), K8sManifests.registry(stack.env()));
        int drifted = 0;
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path f = stack.home().resolve(e.getKey());
            if (check) {
                if (!Files.exists(f) || !Files.readString(f).equals(e.getValue())) {
                    err().println(e.getKey() + " is not what `bin/lakehouse render` makes of etc/jvm.env");
                    drifted++;
                }
            } else {
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
            }
        }
        out().println(check ? (drifted == 0 ? files.size() + " files as rendered" : drifted + " of " + files.size() + " files drifted")
                : "wrote " + files.size() + " files (systemd/, " + K8sManifests.DIR + "/)");
        return drifted == 0 ? 0 : 1;
    }
}
