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
    /**
     * Where the images are pulled from: {@code LAKEHOUSE_IMAGE_REGISTRY} when {@code render} and {@code images} run, else
     * this default, a name under {@code .internal} (reserved for private networks: it can never pull from a public
     * namespace the project does not control). Every image name is {@code <registry>/lakehouse/<daemon>:<tag>}.
     */
    static final String DEFAULT_REGISTRY = "registry.lakehouse.internal";
    static final String TAG = "0.1.0";
    /** Where the two secret files are mounted, and the Secrets they come from (docs/deploy.md, "what is exposed, to whom"). */
    static final String INTERNAL_SECRET = "lakehouse-internal";
    static final String INTERNAL_DIR = "/etc/lakehouse/internal";
    static final String API_KEYS_SECRET = "lakehouse-api-keys";
    static final String API_KEYS_DIR = "/etc/lakehouse/api-keys";
    /** The daemons given the providers' keys (the Secret lakehouse-keys, as environment variables): the ones that call providers. */
    static final Set<DaemonId> PROVIDER_KEYS = EnumSet.of(DaemonId.CHATD, DaemonId.EMBEDD);
    /**
     * Who calls whom (DESIGN.md §2; the peer clients of each daemon's main): the NetworkPolicies allow exactly these edges,
     * besides the gateway's callers (anyone), DNS, the metrics scrapers and {@link #EXTERNAL}.
     */
    static final Map<DaemonId, Set<DaemonId>> CALLS = calls();
    /** The daemons that call outside the cluster: LLM providers (chatd), Ollama (embedd), object storage (vectord's snapshots, validatord's roster). */
    static final Map<DaemonId, List<Integer>> EXTERNAL = Map.of(DaemonId.CHATD, List.of(443, 80, 11434), DaemonId.EMBEDD,
            List.of(443, 80, 11434), DaemonId.VECTORD, List.of(443, 80, 9000), DaemonId.VALIDATORD, List.of(443, 80, 9000));
    /** Namespaces holding this label may scrape every daemon's port (Prometheus); the token keeps all but /metrics closed. */
    static final String SCRAPER_LABEL = "lakehouse.dev/scrape";
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

    private static Map<DaemonId, Set<DaemonId>> calls() {
        Map<DaemonId, Set<DaemonId>> m = new java.util.EnumMap<>(DaemonId.class);
        Set<DaemonId> all = EnumSet.allOf(DaemonId.class);
        all.remove(DaemonId.GATEWAY);
        m.put(DaemonId.GATEWAY, all);
        m.put(DaemonId.CHATD, EnumSet.of(DaemonId.OBSERVERD));
        m.put(DaemonId.MATRIXD, EnumSet.of(DaemonId.EMBEDD, DaemonId.VECTORD, DaemonId.CHATD, DaemonId.OBSERVERD));
        m.put(DaemonId.PATHWAYD, EnumSet.of(DaemonId.EMBEDD, DaemonId.VECTORD, DaemonId.OBSERVERD));
        m.put(DaemonId.VALIDATORD, EnumSet.of(DaemonId.CHATD, DaemonId.TRUTHD, DaemonId.PATHWAYD, DaemonId.OBSERVERD));
        m.put(DaemonId.TRUTHD, EnumSet.of(DaemonId.OBSERVERD));
        m.put(DaemonId.DISTILLD, EnumSet.of(DaemonId.CHATD, DaemonId.VALIDATORD));   // replays
        return java.util.Collections.unmodifiableMap(m);
    }

    static String image(DaemonId d) {
        return image(d, DEFAULT_REGISTRY);
    }

    /** {@code LAKEHOUSE_IMAGE_REGISTRY}, else {@link #DEFAULT_REGISTRY}: a host[:port][/path], no scheme, no tag. */
    static String registry(dev.lakehouse.common.EnvConfig env) {
        String r = env.get("LAKEHOUSE_IMAGE_REGISTRY").orElse(DEFAULT_REGISTRY);
        if (!r.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._-]+)*")) {
            throw new dev.lakehouse.common.ConfigException("LAKEHOUSE_IMAGE_REGISTRY: '" + r + "' is not a registry "
                    + "(host[:port][/path], lower case, no scheme, no tag), like registry.example.com/team");
        }
        return r;
    }

    static String image(DaemonId d, String registry) {
        return registry + "/lakehouse/" + d.daemonName() + ":" + TAG;
    }

    /** The pod a daemon runs in: its own, but distilld's container is in observerd's pod. */
    static DaemonId pod(DaemonId d) {
        return d == DaemonId.DISTILLD ? DaemonId.OBSERVERD : d;
    }

    /** Every file of the base with the default registry. */
    static Map<String, String> render(JvmFlags flags) {
        return render(flags, DEFAULT_REGISTRY);
    }

    /** Every file of the base: path under {@code deploy/k8s/base} → content. */
    static Map<String, String> render(JvmFlags flags, String registry) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> resources = new ArrayList<>(List.of("secret.yaml", "network-policies.yaml"));
        for (DaemonId d : DaemonId.values()) {
            List<Object> docs = new ArrayList<>();
            if (d != DaemonId.DISTILLD) {
                docs.add(workload(d, flags, registry));
            }
            docs.add(service(d));
            if (d == DaemonId.GATEWAY) {
                docs.add(pdb(d));
            }
            // a directory per daemon, so an overlay can take one again (prod's vectord shards)
            out.put(d.daemonName() + "/" + d.daemonName() + ".yaml", yaml(docs));
            out.put(d.daemonName() + "/kustomization.yaml", HEADER + yaml1(map("apiVersion", "kustomize.config.k8s.io/v1beta1", "kind",
                    "Kustomization", "resources", List.of(d.daemonName() + ".yaml"))));
            resources.add(d.daemonName());
        }
        out.put("secret.yaml", yaml(List.of(secret())));
        out.put("network-policies.yaml", yaml(networkPolicies()));
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
                + "lakehouse-env); docs/configuration.md has every variable. Secrets are files: the Secrets lakehouse-internal and "
                + "lakehouse-api-keys (docs/deploy.md); the providers' keys, chatd's and embedd's only, in lakehouse-keys.\n");
        s.append("LAKEHOUSE_DATA_DIR=/data\n");
        s.append("LAKEHOUSE_INTERNAL_TOKEN_FILE=" + INTERNAL_DIR + "/internal-token\n");
        s.append("LAKEHOUSE_BIND=0.0.0.0\n");   // the pod's address, where its Service sends traffic
        for (DaemonId d : DaemonId.values()) {
            s.append("LAKEHOUSE_").append(d.envName()).append("_URL=http://").append(d.daemonName()).append(':').append(d.defaultPort())
                    .append('\n');
        }
        // each validatord replica fetches its own copy (VALIDATORD_ROSTER_URL, set by an overlay) into its pod's volume
        s.append("LAKEHOUSE_ROSTER=/data/validatord/workers.parquet\n");
        s.append("DISTILLD_OBSERVATIONS=/data/observerd/events\n");
        return s.toString();
    }

    private static Map<String, Object> secret() {
        Map<String, Object> s = map("apiVersion", "v1", "kind", "Secret");
        s.put("metadata", map("name", "lakehouse-keys"));
        s.put("type", "Opaque");
        s.put("stringData", map("README", "Providers' keys (OPENROUTER_API_KEY, OLLAMA_API_KEY, …) go here, through an overlay or "
                + "kubectl create secret; chatd and embedd read them as environment variables, no other pod sees them."));
        return s;
    }

    private static Map<String, Object> workload(DaemonId d, JvmFlags flags, String registry) {
        boolean stateful = STATEFUL.contains(d);
        Map<String, Object> w = map("apiVersion", "apps/v1", "kind", stateful ? "StatefulSet" : "Deployment");
        w.put("metadata", map("name", d.daemonName(), "labels", labels(d)));
        Map<String, Object> spec = map("replicas", REPLICAS.getOrDefault(d, 1));
        if (stateful) {
            spec.put("serviceName", d.daemonName());
        }
        spec.put("selector", map("matchLabels", labels(d)));
        List<Object> containers = new ArrayList<>(List.of(container(d, flags, registry)));
        if (d == DaemonId.OBSERVERD) {
            containers.add(container(DaemonId.DISTILLD, flags, registry));
        }
        Map<String, Object> pod = map("securityContext", map("runAsNonRoot", true, "runAsUser", 10001, "runAsGroup", 10001,
                "fsGroup", 10001, "seccompProfile", map("type", "RuntimeDefault")));
        pod.put("terminationGracePeriodSeconds", SystemdUnits.STOP_TIMEOUT_S);
        pod.put("containers", containers);
        List<Object> volumes = new ArrayList<>(List.of(map("name", "tmp", "emptyDir", map()),
                // group-readable: the pod's fsGroup reads it, nobody else (0440)
                map("name", "internal-token", "secret", map("secretName", INTERNAL_SECRET, "defaultMode", 0440))));
        if (d == DaemonId.GATEWAY) {
            volumes.add(map("name", "api-keys", "secret", map("secretName", API_KEYS_SECRET, "defaultMode", 0440)));
        }
        if (!stateful) {
            volumes.add(map("name", "data", "emptyDir", map()));
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

    private static Map<String, Object> container(DaemonId d, JvmFlags flags, String registry) {
        String memory = JvmFlags.mebibytes(flags.memoryMax().get(d)).replace("M", "Mi");
        Map<String, Object> c = map("name", d.daemonName(), "image", image(d, registry), "imagePullPolicy", "IfNotPresent");
        c.put("ports", List.of(map("name", "http", "containerPort", d.defaultPort())));
        List<Object> envFrom = new ArrayList<>(List.of(map("configMapRef", map("name", "lakehouse-env"))));
        if (PROVIDER_KEYS.contains(d)) {
            envFrom.add(map("secretRef", map("name", "lakehouse-keys", "optional", true)));
        }
        c.put("envFrom", envFrom);
        if (d == DaemonId.GATEWAY) {
            c.put("env", List.of(map("name", "LAKEHOUSE_API_KEYS_FILE", "value", API_KEYS_DIR + "/api-keys")));
        }
        c.put("resources", map("requests", map("cpu", "100m", "memory", memory), "limits", map("memory", memory)));
        // started when it answers /health: a daemon that waits for an operator (validatord without its roster) is not
        // restarted in a loop; /ready decides whether it gets traffic
        c.put("startupProbe", probe("/health", d, 30));
        c.put("readinessProbe", probe("/ready", d, 3));
        c.put("livenessProbe", probe("/health", d, 3));
        c.put("securityContext", map("allowPrivilegeEscalation", false, "readOnlyRootFilesystem", true, "capabilities",
                map("drop", List.of("ALL"))));
        List<Object> mounts = new ArrayList<>(List.of(map("name", "tmp", "mountPath", "/tmp"), map("name", "data", "mountPath", "/data"),
                map("name", "internal-token", "mountPath", INTERNAL_DIR, "readOnly", true)));
        if (d == DaemonId.GATEWAY) {
            mounts.add(map("name", "api-keys", "mountPath", API_KEYS_DIR, "readOnly", true));
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
        // distilld's container is in observerd's pod
        s.put("spec", map("selector", labels(pod(d)), "ports", List.of(map("name", "http", "port", d.defaultPort(), "targetPort",
                d.defaultPort()))));
        return s;
    }

    /** The base's replicas where not 1: the gateway runs two, so its disruption budget keeps one serving during a drain. */
    static final Map<DaemonId, Integer> REPLICAS = Map.of(DaemonId.GATEWAY, 2);

    /** At least one pod stays up through a voluntary disruption (a node drain): with two or more replicas, it protects one. */
    static Map<String, Object> pdb(DaemonId d) {
        Map<String, Object> p = map("apiVersion", "policy/v1", "kind", "PodDisruptionBudget");
        p.put("metadata", map("name", d.daemonName()));
        p.put("spec", map("minAvailable", 1, "selector", map("matchLabels", labels(d))));
        return p;
    }

    /**
     * Default deny in both directions, then: DNS for every pod; each pod's ingress from the pods that call its daemons
     * ({@link #CALLS}) on their ports — the gateway's from anywhere — and from scraper namespaces ({@link #SCRAPER_LABEL});
     * each pod's egress to the daemons it calls, and {@link #EXTERNAL}'s to the ports they use outside.
     */
    static List<Object> networkPolicies() {
        List<Object> out = new ArrayList<>();
        out.add(policy("default-deny", map(), List.of("Ingress", "Egress"), null, null));
        out.add(policy("allow-dns", map(), List.of("Egress"), null, List.of(map("to", List.of(map("namespaceSelector", map(),
                "podSelector", map("matchLabels", map("k8s-app", "kube-dns")))), "ports", List.of(map("protocol", "UDP", "port", 53),
                map("protocol", "TCP", "port", 53))))));
        for (DaemonId pod : DaemonId.values()) {
            if (pod(pod) != pod) {
                continue;
            }
            List<DaemonId> here = java.util.Arrays.stream(DaemonId.values()).filter(d -> pod(d) == pod).toList();
            List<Object> ingress = new ArrayList<>();
            for (DaemonId d : here) {
                List<Object> port = List.of(map("protocol", "TCP", "port", d.defaultPort()));
                if (d == DaemonId.GATEWAY) {
                    ingress.add(map("ports", port));   // the door: anyone who can reach the Service
                    continue;
                }
                List<Object> from = new ArrayList<>();
                new java.util.TreeSet<>(callers(d).stream().map(c -> pod(c).daemonName()).toList())
                        .forEach(c -> from.add(map("podSelector", map("matchLabels", map("app.kubernetes.io/name", c)))));
                from.add(map("namespaceSelector", map("matchLabels", map(SCRAPER_LABEL, "true"))));
                ingress.add(map("from", from, "ports", port));
            }
            List<Object> egress = new ArrayList<>();
            java.util.SortedSet<DaemonId> callees = new java.util.TreeSet<>();
            here.forEach(d -> callees.addAll(CALLS.getOrDefault(d, Set.of())));
            here.forEach(callees::remove);
            for (DaemonId c : callees) {
                egress.add(map("to", List.of(map("podSelector", map("matchLabels", map("app.kubernetes.io/name", pod(c).daemonName())))),
                        "ports", List.of(map("protocol", "TCP", "port", c.defaultPort()))));
            }
            for (DaemonId d : here) {
                if (EXTERNAL.containsKey(d)) {
                    egress.add(map("to", List.of(map("ipBlock", map("cidr", "0.0.0.0/0"))), "ports", EXTERNAL.get(d).stream()
                            .map(p -> (Object) map("protocol", "TCP", "port", p)).toList()));
                }
            }
            out.add(policy(pod.daemonName(), map("matchLabels", map("app.kubernetes.io/name", pod.daemonName())),
                    List.of("Ingress", "Egress"), ingress, egress));
        }
        return out;
    }

    static Set<DaemonId> callers(DaemonId d) {
        Set<DaemonId> out = EnumSet.noneOf(DaemonId.class);
        CALLS.forEach((caller, callees) -> {
            if (callees.contains(d)) {
                out.add(caller);
            }
        });
        return out;
    }

    private static Map<String, Object> policy(String name, Map<String, Object> selector, List<String> types, List<Object> ingress,
                                              List<Object> egress) {
        Map<String, Object> p = map("apiVersion", "networking.k8s.io/v1", "kind", "NetworkPolicy");
        p.put("metadata", map("name", name));
        Map<String, Object> spec = map("podSelector", selector, "policyTypes", types);
        if (ingress != null) {
            spec.put("ingress", ingress);
        }
        if (egress != null) {
            spec.put("egress", egress);
        }
        p.put("spec", spec);
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
