package dev.lakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.lakehouse.common.DaemonId;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's NetworkPolicies, read as Kubernetes reads them: an evaluator decides, for every pair of pods and every
 * daemon port, whether a connection is allowed (ingress of the destination and egress of the source), and the answer
 * must be exactly the edge table — nothing open that the design does not call, nothing closed that it does. Every
 * selector must select a workload and every port must be one its pods listen on, so a typo'd edge in an overlay fails.
 */
class NetworkPoliciesTest {
    @TempDir
    Path dir;

    record Pod(String name, Map<String, String> labels, List<Integer> ports) {
    }

    static List<Pod> pods(List<HasMetadata> objects) {
        List<Pod> out = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof Deployment || o instanceof StatefulSet) {
                var t = o instanceof Deployment d ? d.getSpec().getTemplate() : ((StatefulSet) o).getSpec().getTemplate();
                List<Integer> ports = new ArrayList<>();
                for (Container c : t.getSpec().getContainers()) {
                    c.getPorts().stream().map(ContainerPort::getContainerPort).forEach(ports::add);
                }
                out.add(new Pod(o.getMetadata().getName(), t.getMetadata().getLabels(), ports));
            }
        }
        return out;
    }

    static boolean selects(LabelSelector s, Map<String, String> labels) {
        return s == null || s.getMatchLabels() == null || labels.entrySet().containsAll(s.getMatchLabels().entrySet());
    }

    static boolean portMatches(List<NetworkPolicyPort> ports, int port) {
        return ports == null || ports.isEmpty() || ports.stream().anyMatch(p -> p.getPort() != null && p.getPort().getIntVal() == port);
    }

    /** A peer in the namespace matches a pod by its podSelector; namespaceSelector-only peers (scrapers) and ipBlocks do not. */
    static boolean peerMatches(NetworkPolicyPeer peer, Pod pod) {
        return peer.getPodSelector() != null && peer.getNamespaceSelector() == null && peer.getIpBlock() == null
                && selects(peer.getPodSelector(), pod.labels());
    }

    static boolean allowed(List<NetworkPolicy> policies, Pod from, Pod to, int port) {
        boolean in = false;
        boolean out = false;
        for (NetworkPolicy p : policies) {
            if (selects(p.getSpec().getPodSelector(), to.labels()) && p.getSpec().getIngress() != null) {
                in |= p.getSpec().getIngress().stream().anyMatch(r -> portMatches(r.getPorts(), port)
                        && (r.getFrom() == null || r.getFrom().isEmpty() || r.getFrom().stream().anyMatch(f -> peerMatches(f, from))));
            }
            if (selects(p.getSpec().getPodSelector(), from.labels()) && p.getSpec().getEgress() != null) {
                out |= p.getSpec().getEgress().stream().anyMatch(r -> portMatches(r.getPorts(), port)
                        && (r.getTo() == null || r.getTo().isEmpty() || r.getTo().stream().anyMatch(t -> peerMatches(t, to))));
            }
        }
        return in && out;
    }

    /** Selectors that select no workload and ports no selected pod listens on: what a typo'd edge leaves. */
    static List<String> dangling(List<NetworkPolicy> policies, List<Pod> pods) {
        List<String> out = new ArrayList<>();
        for (NetworkPolicy p : policies) {
            String at = "NetworkPolicy " + p.getMetadata().getName();
            List<Pod> targets = pods.stream().filter(x -> selects(p.getSpec().getPodSelector(), x.labels())).toList();
            if (targets.isEmpty()) {
                out.add(at + ": its podSelector selects no pod");
            }
            for (var r : p.getSpec().getIngress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()
                    : p.getSpec().getIngress()) {
                for (NetworkPolicyPeer f : r.getFrom() == null ? List.<NetworkPolicyPeer>of() : r.getFrom()) {
                    if (f.getPodSelector() != null && pods.stream().noneMatch(x -> selects(f.getPodSelector(), x.labels()))) {
                        out.add(at + ": ingress from " + f.getPodSelector().getMatchLabels() + ", which selects no pod");
                    }
                }
                for (NetworkPolicyPort port : r.getPorts() == null ? List.<NetworkPolicyPort>of() : r.getPorts()) {
                    if (targets.stream().noneMatch(x -> x.ports().contains(port.getPort().getIntVal()))) {
                        out.add(at + ": ingress on port " + port.getPort().getIntVal() + ", where none of its pods listens");
                    }
                }
            }
            for (var r : p.getSpec().getEgress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
                    : p.getSpec().getEgress()) {
                for (NetworkPolicyPeer t : r.getTo() == null ? List.<NetworkPolicyPeer>of() : r.getTo()) {
                    if (t.getPodSelector() != null && t.getNamespaceSelector() == null) {
                        List<Pod> to = pods.stream().filter(x -> selects(t.getPodSelector(), x.labels())).toList();
                        if (to.isEmpty()) {
                            out.add(at + ": egress to " + t.getPodSelector().getMatchLabels() + ", which selects no pod");
                        }
                        for (NetworkPolicyPort port : r.getPorts() == null ? List.<NetworkPolicyPort>of() : r.getPorts()) {
                            if (!to.isEmpty() && to.stream().noneMatch(x -> x.ports().contains(port.getPort().getIntVal()))) {
                                out.add(at + ": egress to " + t.getPodSelector().getMatchLabels() + " on port " + port.getPort().getIntVal()
                                        + ", where it does not listen");
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static List<NetworkPolicy> policies(List<HasMetadata> objects) {
        return objects.stream().filter(o -> o instanceof NetworkPolicy).map(o -> (NetworkPolicy) o).toList();
    }

    @Test
    void everyOverlay_allowsExactlyTheEdgeTable_andNothingDangles() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<HasMetadata> objects = K8sManifestsTest.rendered(overlay);
            List<NetworkPolicy> policies = policies(objects);
            List<Pod> pods = pods(objects);
            assertThat(dangling(policies, pods)).as(overlay).isEmpty();
            assertThat(policies).as(overlay + ": default deny").anySatisfy(p -> {
                assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
                assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            });
            int allowedPairs = 0;
            for (Pod from : pods) {
                for (Pod to : pods) {
                    for (DaemonId callee : DaemonId.values()) {
                        if (!to.ports().contains(callee.defaultPort()) || from == to) {
                            continue;
                        }
                        boolean designed = DaemonId.values().length > 0 && java.util.Arrays.stream(DaemonId.values())
                                .filter(c -> from.labels().get("app.kubernetes.io/name").equals(K8sManifests.pod(c).daemonName()))
                                .anyMatch(c -> K8sManifests.CALLS.getOrDefault(c, java.util.Set.of()).contains(callee));
                        boolean open = allowed(policies, from, to, callee.defaultPort());
                        assertThat(open).as(overlay + ": " + from.name() + " -> " + to.name() + ":" + callee.defaultPort()
                                + (designed ? " is an edge of the design" : " is not an edge of the design")).isEqualTo(designed);
                        allowedPairs += open ? 1 : 0;
                    }
                }
            }
            assertThat(allowedPairs).as(overlay + ": some edges are open").isGreaterThan(10);
        }
    }

    @Test
    void anOverlayWithATypodEdge_isCaught() throws Exception {
        Path overlay = Files.createDirectories(dir.resolve("typo"));
        Path base = K8sManifestsTest.REPO.resolve(K8sManifests.DIR);
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: lakehouse-typo
                resources:
                - %s
                - edge.yaml
                """.formatted(overlay.relativize(base)));
        Files.writeString(overlay.resolve("edge.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: matrixd-to-vectord-extra
                spec:
                  podSelector:
                    matchLabels:
                      app.kubernetes.io/name: vectrod
                  policyTypes: [Ingress]
                  ingress:
                  - from:
                    - podSelector:
                        matchLabels:
                          app.kubernetes.io/name: matrixd
                    ports:
                    - protocol: TCP
                      port: 4271
                """);
        String yaml = K8sManifestsTest.kustomize(overlay);
        if (yaml == null) {
            yaml = Files.readString(overlay.resolve("edge.yaml"));   // no kubectl: the edge alone, against the base's pods
            List<HasMetadata> base0 = K8sManifestsTest.rendered("dev");
            assertThat(dangling(policies(K8sManifestsTest.objects(yaml)), pods(base0))).anyMatch(s -> s.contains("selects no pod"));
            return;
        }
        List<HasMetadata> objects = K8sManifestsTest.objects(yaml);
        assertThat(dangling(policies(objects), pods(objects))).anyMatch(s -> s.contains("matrixd-to-vectord-extra")
                && s.contains("selects no pod")).anyMatch(s -> s.contains("port 4271"));
    }

    @Test
    void everyOverlay_hasADisruptionBudgetThatProtectsAPodWithoutBlockingDrains() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<HasMetadata> objects = K8sManifestsTest.rendered(overlay);
            List<PodDisruptionBudget> pdbs = objects.stream().filter(o -> o instanceof PodDisruptionBudget).map(o -> (PodDisruptionBudget) o)
                    .toList();
            assertThat(pdbs).as(overlay).isNotEmpty();
            for (PodDisruptionBudget b : pdbs) {
                int replicas = objects.stream().filter(o -> o instanceof Deployment).map(o -> (Deployment) o)
                        .filter(d -> selects(b.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels()))
                        .mapToInt(d -> d.getSpec().getReplicas()).sum();
                int min = b.getSpec().getMinAvailable().getIntVal();
                assertThat(min).as(overlay + ": " + b.getMetadata().getName() + " keeps a pod").isGreaterThanOrEqualTo(1);
                assertThat(replicas).as(overlay + ": " + b.getMetadata().getName() + " leaves a pod to drain").isGreaterThan(min);
            }
        }
    }
}
