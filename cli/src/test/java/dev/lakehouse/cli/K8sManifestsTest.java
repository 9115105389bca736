package dev.lakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lakehouse.common.DaemonId;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s: the base is what `bin/lakehouse render` makes; both overlays render with `kubectl kustomize` (where a
 * kubectl is found; else the base's own files are read) into objects of Kubernetes' model (fabric8) with no field the
 * model does not know; and every daemon's image, port, probes, memory limit, peers and volumes agree with the daemon
 * table and etc/jvm.env.
 */
class K8sManifestsTest {
    static final Path REPO = SystemdUnitsTest.REPO;
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of("Deployment", Deployment.class, "StatefulSet", StatefulSet.class,
            "Service", Service.class, "ConfigMap", ConfigMap.class, "Secret", Secret.class, "PodDisruptionBudget", PodDisruptionBudget.class,
            "PersistentVolumeClaim", PersistentVolumeClaim.class, "NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);

    @Test
    void theCommittedBase_isWhatTheCliRenders() throws IOException {
        for (Map.Entry<String, String> f : RenderCommand.files(SystemdUnitsTest.FLAGS).entrySet()) {
            assertThat(Files.readString(REPO.resolve(f.getKey()))).as(f.getKey() + " drifted: run bin/lakehouse render").isEqualTo(f.getValue());
        }
    }

    /** The overlay rendered by kubectl kustomize; null when this machine has no kubectl. */
    static String kustomize(String overlay) throws Exception {
        return kustomize(REPO.resolve("deploy/k8s/overlays").resolve(overlay));
    }

    /** A kustomization directory rendered by kubectl kustomize; null when this machine has no kubectl. */
    static String kustomize(Path overlay) throws Exception {
        Path kubectl = Path.of("/usr/bin/kubectl");
        if (!Files.isExecutable(kubectl)) {
            kubectl = Path.of("/usr/local/bin/kubectl");
        }
        if (!Files.isExecutable(kubectl)) {
            return null;
        }
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", overlay.toString())
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + overlay + ": " + err).isZero();
        return out;
    }

    /** Every object of a YAML stream, as its fabric8 type; a kind the base does not use, or an unknown field, fails. */
    static List<HasMetadata> objects(String yaml) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        for (JsonNode doc : YAML.readValues(YAML.getFactory().createParser(yaml), JsonNode.class).readAll()) {
            if (doc == null || doc.isNull() || doc.isEmpty()) {
                continue;
            }
            Class<? extends HasMetadata> type = KINDS.get(doc.path("kind").asText());
            assertThat(type).as("a kind of object the deployment uses: " + doc.path("kind")).isNotNull();
            HasMetadata o = YAML.treeToValue(doc, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown);
            assertThat(unknown).as("fields Kubernetes' model does not know").isEmpty();
            out.add(o);
        }
        return out;
    }

    /** Walks a fabric8 object: every additionalProperties map must be empty (a typo lands there). */
    static void unknownFields(Object o, String at, List<String> out) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Quantity) {
            return;
        }
        if (o instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                unknownFields(l.get(i), at + "[" + i + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, at + "." + k, out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getName().equals("getClass")) {
                continue;
            }
            try {
                Object v = g.invoke(o);
                if (g.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        out.add(at + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(v, at + "." + g.getName().substring(3), out);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static List<HasMetadata> rendered(String overlay) throws Exception {
        String yaml = kustomize(overlay);
        if (yaml == null) {   // no kubectl here: the base's own files (every object, without kustomize's labels and names)
            StringBuilder all = new StringBuilder();
            try (var files = Files.walk(REPO.resolve(K8sManifests.DIR))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml"))
                        .sorted().toList()) {
                    all.append(Files.readString(f)).append("\n---\n");
                }
            }
            yaml = all.toString();
        }
        return objects(yaml);
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return (T) objects.stream().filter(o -> type.isInstance(o) && o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    static PodTemplateSpec template(List<HasMetadata> objects, DaemonId d) {
        DaemonId pod = d == DaemonId.DISTILLD ? DaemonId.OBSERVERD : d;
        return K8sManifests.STATEFUL.contains(pod) ? find(objects, StatefulSet.class, pod.daemonName()).getSpec().getTemplate()
                : find(objects, Deployment.class, pod.daemonName()).getSpec().getTemplate();
    }

    @Test
    void devAndProd_renderIntoKubernetesObjects_coherentWithTheDaemonTable() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<HasMetadata> objects = rendered(overlay);
            ConfigMap env = objects.stream().filter(o -> o instanceof ConfigMap).map(o -> (ConfigMap) o).findFirst().orElseThrow();
            assertThat(env.getData()).as("daemons listen on the pod's address, not 127.0.0.1").containsEntry("LAKEHOUSE_BIND", "0.0.0.0");
            for (DaemonId d : DaemonId.values()) {
                Service s = find(objects, Service.class, d.daemonName());
                assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(d.defaultPort()));
                assertThat(env.getData().get("LAKEHOUSE_" + d.envName() + "_URL")).as("peers find " + d + " at its Service")
                        .isEqualTo("http://" + d.daemonName() + ":" + d.defaultPort());
                PodTemplateSpec t = template(objects, d);
                assertThat(s.getSpec().getSelector()).as(d + "'s Service selects its pods").isEqualTo(t.getMetadata().getLabels());
                Container c = t.getSpec().getContainers().stream().filter(x -> x.getName().equals(d.daemonName())).findFirst().orElseThrow();
                assertThat(c.getImage()).isEqualTo(K8sManifests.image(d));
                assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(d.defaultPort()));
                assertProbe(c.getLivenessProbe(), "/health", d);
                assertProbe(c.getReadinessProbe(), "/ready", d);
                assertProbe(c.getStartupProbe(), "/health", d);
                long limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")).longValueExact();
                assertThat(limit).as(d + ": the limit is etc/jvm.env's").isEqualTo(SystemdUnitsTest.FLAGS.memoryMax().get(d));
                assertThat(Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")).longValueExact()).isLessThanOrEqualTo(limit);
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                assertThat(t.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
                if (d != DaemonId.DISTILLD) {
                    assertThat(t.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                            .containsEntry("prometheus.io/port", Integer.toString(d.defaultPort()));
                }
                if (K8sManifests.STATEFUL.contains(d)) {
                    assertThat(find(objects, StatefulSet.class, d.daemonName()).getSpec().getVolumeClaimTemplates()).singleElement()
                            .satisfies(v -> assertThat(v.getMetadata().getName()).isEqualTo("data"));
                }
            }
            PodDisruptionBudget pdb = find(objects, PodDisruptionBudget.class, "gateway");
            assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(template(objects, DaemonId.GATEWAY).getMetadata().getLabels());
            // no Service selects the pods of two workloads (vectord's shards are told apart by their label)
            for (HasMetadata o : objects) {
                if (o instanceof Service s) {
                    long workloads = objects.stream().filter(w -> w instanceof Deployment || w instanceof StatefulSet)
                            .filter(w -> podLabels(w).entrySet().containsAll(s.getSpec().getSelector().entrySet())).count();
                    assertThat(workloads).as(overlay + ": Service " + s.getMetadata().getName() + " selects one workload").isEqualTo(1);
                }
            }
            if (overlay.equals("prod") && kustomize("prod") != null) {
                assertThat(find(objects, Deployment.class, "gateway").getSpec().getReplicas()).isEqualTo(3);
                assertThat(find(objects, Deployment.class, "gateway").getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).hasSize(1);
                for (String shard : List.of("vectord-shard-1", "vectord-shard-2")) {
                    StatefulSet v = find(objects, StatefulSet.class, shard);
                    assertThat(v.getSpec().getServiceName()).isEqualTo(shard);
                    assertThat(find(objects, Service.class, shard).getSpec().getPorts().get(0).getPort()).isEqualTo(4217);
                }
            }
        }
    }

    static Map<String, String> podLabels(HasMetadata w) {
        return w instanceof Deployment d ? d.getSpec().getTemplate().getMetadata().getLabels()
                : ((StatefulSet) w).getSpec().getTemplate().getMetadata().getLabels();
    }

    static void assertProbe(Probe p, String path, DaemonId d) {
        assertThat(p.getHttpGet().getPath()).isEqualTo(path);
        assertThat(p.getHttpGet().getPort().getIntVal()).isEqualTo(d.defaultPort());
    }

    @Test
    void aTypoInAManifest_isCaughtByTheModel() throws IOException {
        String bad = Files.readString(REPO.resolve(K8sManifests.DIR).resolve("chatd/chatd.yaml")).replace("readinessProbe:", "readynessProbe:");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> objects(bad)).hasMessageContaining("readynessProbe");
    }
}
