package dev.lakehouse.cli;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.lakehouse.common.DaemonId;

/**
 * The Kubernetes base of {@code deploy/k8s/base/} (docs/deploy.md), rendered from {@link DaemonId} and
 * {@code etc/jvm.env}: per daemon a Deployment (stateless) or a StatefulSet with a volume claim (it owns state), a
 * Service, probes on {@code /health} and {@code /ready}, memory requests and limits from {@code jvm.env} (the images
 * carry the same JVM flags), Prometheus scrape annotations; a ConfigMap of the peers' URLs, a Secret for the providers'
 * keys, a PodDisruptionBudget for the gateway. distilld runs beside observerd in its pod: it reads observerd's day files
 * (docs/distilld.md), which a second pod could not without shared storage.
 */
final class K8sManifests {
    static final String DIR = "deploy/k8s/base";
    static final String IMAGE = "lakehouse/";
    static final String TAG = "0.1.0";
    /** What owns state on a disk (a StatefulSet with a volume claim); the rest are Deployments. */
    static final Set<DaemonId> STATEFUL = EnumSet.of(DaemonId.VECTORD, DaemonId.PATHWAYD, DaemonId.TRUTHD, DaemonId.OBSERVERD,
            DaemonId.JOURNALD);
    static final Map<DaemonId, String> DISK = Map.of(DaemonId.VECTORD, "20Gi", DaemonId.PATHWAYD, "5Gi", DaemonId.TRUTHD, "5Gi",
            DaemonId.OBSERVERD, "50Gi", DaemonId.JOURNALD, "5Gi");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    private static final String HEADER = "# Rendered by `bin/lakehouse render` from etc/jvm.env and the daemon table (docs/deploy.md); "
            + "do not edit.\n";

    private K8sManifests() {
    }

    static String image(DaemonId d) {
        return IMAGE + d.daemonName() + ":" + TAG;
    }

    /** Every file of the base: path under {@code deploy/k8s/base} → content. */
    static Map<String, String> render(JvmFlags flags) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> resources = new ArrayList<>(List.of("secret.yaml"));
        for (DaemonId d : DaemonId.values()) {
            List<Object> docs = new ArrayList<>();
            if (d != DaemonId.DISTILLD) {
                docs.add(workload(d, flags));
            }
            docs.add(service(d));
            if (d == DaemonId.GATEWAY) {
                docs.add(pdb(d));
            }
            if (d == DaemonId.VALIDATORD) {
                docs.add(rosterClaim());
            }
            // a directory per daemon, so an overlay can take one again (prod's vectord shards)
            out.put(d.daemonName() + "/" + d.daemonName() + ".yaml", yaml(docs));
            out.put(d.daemonName() + "/kustomization.yaml", HEADER + yaml1(map("apiVersion", "kustomize.config.k8s.io/v1beta1", "kind",
                    "Kustomization", "resources", List.of(d.daemonName() + ".yaml"))));
            resources.add(d.daemonName());
        }
        out.put("secret.yaml", yaml(List.of(secret())));
        out.put("lakehouse.env", env());
        out.put("kustomization.yaml", HEADER + yaml1(kustomization(resources)));
        return out;
    }

    private static Map<String, Object> kustomization(List<String> resources) {
        Map<String, Object> k = map("apiVersion", "kustomize.config.k8s.io/v1beta1", "kind", "Kustomization");
        k.put("namespace", "lakehouse");
        k.put("labels", List.of(map("pairs", map("app.kubernetes.io/part-of", "lakehouse"))));
        k.put("resources", resources);
        k.put("configMapGenerator", List.of(map("name", "lakehouse-env", "envs", List.of("lakehouse.env"))));
        return k;
    }

    /** Every daemon's peers at their Services; the data directory on the pod's volume. */
    private static String env() {
        StringBuilder s = new StringBuilder(HEADER.replace("\n", "") + "\n# The environment of every pod (ConfigMap "
                + "lakehouse-env); docs/configuration.md has every variable. Secrets go in the Secret lakehouse-keys.\n");
        s.append("LAKEHOUSE_DATA_DIR=/data\n");
        s.append("LAKEHOUSE_BIND=0.0.0.0\n");   // the pod's address, where its Service sends traffic
        for (DaemonId d : DaemonId.values()) {
            s.append("LAKEHOUSE_").append(d.envName()).append("_URL=http://").append(d.daemonName()).append(':').append(d.defaultPort())
                    .append('\n');
        }
        s.append("LAKEHOUSE_ROSTER=/roster/workers.parquet\n");
        s.append("DISTILLD_OBSERVATIONS=/data/observerd/events\n");
        return s.toString();
    }

    private static Map<String, Object> secret() {
        Map<String, Object> s = map("apiVersion", "v1", "kind", "Secret");
        s.put("metadata", map("name", "lakehouse-keys"));
        s.put("type", "Opaque");
        s.put("stringData", map("README", "Providers' keys (OPENROUTER_API_KEY, OLLAMA_API_KEY, …) go here, through an overlay or "
                + "kubectl create secret; every pod reads them as environment variables."));
        return s;
    }

    private static Map<String, Object> workload(DaemonId d, JvmFlags flags) {
        boolean stateful = STATEFUL.contains(d);
        Map<String, Object> w = map("apiVersion", "apps/v1", "kind", stateful ? "StatefulSet" : "Deployment");
        w.put("metadata", map("name", d.daemonName(), "labels", labels(d)));
        Map<String, Object> spec = map("replicas", 1);
        if (stateful) {
            spec.put("serviceName", d.daemonName());
        }
        spec.put("selector", map("matchLabels", labels(d)));
        List<Object> containers = new ArrayList<>(List.of(container(d, flags)));
        if (d == DaemonId.OBSERVERD) {
            containers.add(container(DaemonId.DISTILLD, flags));
        }
        Map<String, Object> pod = map("securityContext", map("runAsNonRoot", true, "runAsUser", 10001, "runAsGroup", 10001,
                "fsGroup", 10001, "seccompProfile", map("type", "RuntimeDefault")));
        pod.put("terminationGracePeriodSeconds", SystemdUnits.STOP_TIMEOUT_S);
        pod.put("containers", containers);
        List<Object> volumes = new ArrayList<>(List.of(map("name", "tmp", "emptyDir", map())));
        if (!stateful) {
            volumes.add(map("name", "data", "emptyDir", map()));
        }
        if (d == DaemonId.VALIDATORD) {
            volumes.add(map("name", "roster", "persistentVolumeClaim", map("claimName", "lakehouse-roster", "readOnly", true)));
        }
        pod.put("volumes", volumes);
        Map<String, Object> annotations = map("prometheus.io/scrape", "true", "prometheus.io/port", Integer.toString(d.defaultPort()),
                "prometheus.io/path", "/metrics");
        spec.put("template", map("metadata", map("labels", labels(d), "annotations", annotations), "spec", pod));
        if (stateful) {
            spec.put("volumeClaimTemplates", List.of(map("metadata", map("name", "data"), "spec", map("accessModes",
                    List.of("ReadWriteOnce"), "resources", map("requests", map("storage", DISK.get(d)))))));
        }
        w.put("spec", spec);
        return w;
    }

    private static Map<String, Object> container(DaemonId d, JvmFlags flags) {
        String memory = JvmFlags.mebibytes(flags.memoryMax().get(d)).replace("M", "Mi");
        Map<String, Object> c = map("name", d.daemonName(), "image", image(d), "imagePullPolicy", "IfNotPresent");
        c.put("ports", List.of(map("name", "http", "containerPort", d.defaultPort())));
        c.put("envFrom", List.of(map("configMapRef", map("name", "lakehouse-env")), map("secretRef", map("name", "lakehouse-keys",
                "optional", true))));
        c.put("resources", map("requests", map("cpu", "100m", "memory", memory), "limits", map("memory", memory)));
        c.put("startupProbe", probe("/ready", d, 30));
        c.put("readinessProbe", probe("/ready", d, 3));
        c.put("livenessProbe", probe("/health", d, 3));
        c.put("securityContext", map("allowPrivilegeEscalation", false, "readOnlyRootFilesystem", true, "capabilities",
                map("drop", List.of("ALL"))));
        List<Object> mounts = new ArrayList<>(List.of(map("name", "tmp", "mountPath", "/tmp"), map("name", "data", "mountPath", "/data")));
        if (d == DaemonId.VALIDATORD) {
            mounts.add(map("name", "roster", "mountPath", "/roster", "readOnly", true));
        }
        c.put("volumeMounts", mounts);
        return c;
    }

    private static Map<String, Object> probe(String path, DaemonId d, int failures) {
        return map("httpGet", map("path", path, "port", d.defaultPort()), "periodSeconds", 5, "timeoutSeconds", 2,
                "failureThreshold", failures);
    }

    private static Map<String, Object> service(DaemonId d) {
        Map<String, Object> s = map("apiVersion", "v1", "kind", "Service");
        s.put("metadata", map("name", d.daemonName(), "labels", labels(d)));
        DaemonId pod = d == DaemonId.DISTILLD ? DaemonId.OBSERVERD : d;   // distilld's container is in observerd's pod
        s.put("spec", map("selector", labels(pod), "ports", List.of(map("name", "http", "port", d.defaultPort(), "targetPort",
                d.defaultPort()))));
        return s;
    }

    /** The roster validatord reads (Parquet, docs/validator.md): put the file on it before validatord starts. */
    private static Map<String, Object> rosterClaim() {
        Map<String, Object> c = map("apiVersion", "v1", "kind", "PersistentVolumeClaim");
        c.put("metadata", map("name", "lakehouse-roster"));
        c.put("spec", map("accessModes", List.of("ReadWriteOnce"), "resources", map("requests", map("storage", "1Gi"))));
        return c;
    }

    private static Map<String, Object> pdb(DaemonId d) {
        Map<String, Object> p = map("apiVersion", "policy/v1", "kind", "PodDisruptionBudget");
        p.put("metadata", map("name", d.daemonName()));
        p.put("spec", map("maxUnavailable", 1, "selector", map("matchLabels", labels(d))));
        return p;
    }

    /** A daemon's labels; vectord's name its shard ("0" here; prod's further shards relabel their copies), so no Service mixes them. */
    private static Map<String, Object> labels(DaemonId d) {
        return d == DaemonId.VECTORD ? map("app.kubernetes.io/name", d.daemonName(), "lakehouse.dev/shard", "0")
                : map("app.kubernetes.io/name", d.daemonName());
    }

    /** An ordered map of key, value pairs. */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String yaml(List<Object> docs) {
        StringBuilder s = new StringBuilder(HEADER);
        for (int i = 0; i < docs.size(); i++) {
            s.append(i == 0 ? "" : "---\n").append(yaml1(docs.get(i)));
        }
        return s.toString();
    }

    private static String yaml1(Object doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
