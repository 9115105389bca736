package dev.lakehouse.vectord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.FieldError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VectorIndexTest {
    static ObjectNode payload(String role) {
        return JsonNodeFactory.instance.objectNode().put("role", role);
    }

    @Test
    void scores_areHigherIsBetter_withTheDocumentedFormulas() {
        assertThat(Metric.COSINE.score(0f)).isEqualTo(1.0);
        assertThat(Metric.COSINE.score(2f)).isEqualTo(-1.0);
        assertThat(Metric.DOT.score(-3f)).isEqualTo(3.0);
        assertThat(Metric.EUCLIDEAN.score(0f)).isEqualTo(1.0);
        assertThat(Metric.EUCLIDEAN.score(1f)).isEqualTo(0.5);
        float[] a = {1, 2, 3};
        float[] b = {4, 5, 6};
        assertThat(Metric.dot(a, b)).isEqualTo(32f);
        assertThat(Metric.DOT.distance().distance(a, b)).isEqualTo(-32f);
        assertThat(Metric.EUCLIDEAN.distance().distance(a, b)).isEqualTo((float) Math.sqrt(27));
    }

    @Test
    void cosine_normalises_andRefusesZeroVectors_dimensionsAreChecked() {
        VectorIndex cos = new VectorIndex("t", new IndexParams(2, Metric.COSINE, null, null, null));
        assertThat(cos.prepare(new float[] {3, 4}, "v")).containsExactly(0.6f, 0.8f);
        assertThatThrownBy(() -> cos.prepare(new float[] {0, 0}, "v")).isInstanceOfSatisfying(FieldError.class,
                e -> assertThat(e.code()).isEqualTo("zero_vector"));
        assertThatThrownBy(() -> cos.prepare(new float[] {1, 2, 3}, "points[2].vector")).isInstanceOfSatisfying(FieldError.class,
                e -> assertThat(e.getMessage()).contains("3 dimensions").contains("has 2"));
        VectorIndex dot = new VectorIndex("t", new IndexParams(2, Metric.DOT, null, null, null));
        assertThat(dot.prepare(new float[] {0, 0}, "v")).containsExactly(0f, 0f);
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void upsertReplaces_deleteRemovesAtOnce_capacityGrows(Metric metric) {
        VectorIndex index = new VectorIndex("t", new IndexParams(4, metric, 8, 50, 50));
        Random random = new Random(1);
        for (int i = 0; i < 3000; i++) {   // past the initial capacity of 1024: resized, not refused
            index.upsert("p" + i, index.prepare(randomVector(random, 4), "v"), payload(i % 2 == 0 ? "welder" : "driver"));
        }
        assertThat(index.size()).isEqualTo(3000);
        index.upsert("p7", index.prepare(new float[] {10, 10, 10, 10}, "v"), payload("new"));   // the best match under every metric
        assertThat(index.size()).isEqualTo(3000);
        assertThat(index.get("p7").orElseThrow().payload().path("role").asText()).isEqualTo("new");
        float[] q = index.prepare(new float[] {10, 10, 10, 10}, "q");
        assertThat(index.search(q, 1, null, null).get(0).id()).isEqualTo("p7");
        assertThat(index.delete("p7")).isTrue();
        assertThat(index.search(q, 5, null, null)).extracting(VectorIndex.Hit::id).doesNotContain("p7");
        assertThat(index.get("p7")).isEmpty();
    }

    @Test
    void upsertAll_onSeveralThreads_lastWriteOfAnIdWins_andEveryPointLands() {
        VectorIndex index = new VectorIndex("t", new IndexParams(8, Metric.COSINE, 8, 50, 50));
        Random random = new Random(9);
        java.util.List<VectorIndex.Upsert> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            batch.add(new VectorIndex.Upsert("p" + i, index.prepare(randomVector(random, 8), "v"), payload("first")));
        }
        batch.add(new VectorIndex.Upsert("p5", index.prepare(randomVector(random, 8), "v"), payload("second")));
        index.upsertAll(batch, 2);
        assertThat(index.size()).isEqualTo(2000);
        assertThat(index.get("p5").orElseThrow().payload().path("role").asText()).isEqualTo("second");
        index.upsertAll(java.util.List.of(new VectorIndex.Upsert("p6", index.prepare(randomVector(random, 8), "v"), payload("again"))), 2);
        assertThat(index.size()).isEqualTo(2000);
        assertThat(index.get("p6").orElseThrow().payload().path("role").asText()).isEqualTo("again");
    }

    @Test
    void recallAt10_isAtLeast95Percent_againstHnswlibsExactIndex() throws Exception {
        int n = 10_000;
        int dims = 64;
        VectorIndex index = new VectorIndex("t", new IndexParams(dims, Metric.COSINE, 16, 200, 100));
        var exact = com.github.jelmerk.hnswlib.core.bruteforce.BruteForceIndex
                .<float[], Float>newBuilder(dims, Metric.COSINE.distance()).<String, StoredPoint>build();
        Random random = new Random(42);
        float[][] centres = new float[50][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = randomVector(random, dims);
        }
        for (int i = 0; i < n; i++) {
            float[] v = index.prepare(randomNear(random, centres[i % centres.length], dims), "v");
            index.upsert("p" + i, v, payload("r" + (i % 7)));
            exact.add(new StoredPoint("p" + i, v, null, 0));
        }
        int found = 0;
        int queries = 200;
        for (int q = 0; q < queries; q++) {
            float[] query = index.prepare(randomNear(random, centres[q % centres.length], dims), "q");
            Set<String> truth = new HashSet<>();
            exact.findNearest(query, 10).forEach(r -> truth.add(r.item().id()));
            Set<String> ours = new HashSet<>();
            index.exact(query, 10, null).forEach(h -> ours.add(h.id()));
            assertThat(ours).as("our exact scan agrees with hnswlib's").isEqualTo(truth);
            for (VectorIndex.Hit h : index.search(query, 10, null, null)) {
                if (truth.contains(h.id())) {
                    found++;
                }
            }
        }
        double recall = found / (queries * 10.0);
        System.out.println("recall@10 on 10k clustered vectors (64 dims, ef 100): " + recall);
        assertThat(recall).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void filteredSearch_returnsKHits_whenKPointsMatch_evenIfRare() {
        VectorIndex index = new VectorIndex("t", new IndexParams(8, Metric.EUCLIDEAN, null, null, null));
        Random random = new Random(3);
        for (int i = 0; i < 5000; i++) {
            String role = i % 1000 == 0 ? "crane operator" : "welder";   // 5 rare points
            index.upsert("p" + i, randomVector(random, 8), payload(role));
        }
        List<VectorIndex.Hit> hits = index.search(randomVector(random, 8), 5, null, Map.of("role", text("crane operator")));
        assertThat(hits).hasSize(5).allSatisfy(h -> assertThat(h.payload().path("role").asText()).isEqualTo("crane operator"));
        List<VectorIndex.Hit> anyOf = index.search(randomVector(random, 8), 10, null,
                Map.of("role", JsonNodeFactory.instance.arrayNode().add("crane operator").add("nobody")));
        assertThat(anyOf).hasSize(5);
        assertThat(index.search(randomVector(random, 8), 3, 400, Map.of("role", text("welder")))).hasSize(3);
    }

    @Test
    void filter_matchesEqualityAndAnyOf() {
        JsonNode p = JsonNodeFactory.instance.objectNode().put("role", "welder").put("state", "OH").put("years", 3);
        assertThat(VectorIndex.matches(p, Map.of("role", text("welder")))).isTrue();
        assertThat(VectorIndex.matches(p, Map.of("role", text("welder"), "state", text("PA")))).isFalse();
        assertThat(VectorIndex.matches(p, Map.of("state", JsonNodeFactory.instance.arrayNode().add("PA").add("OH")))).isTrue();
        assertThat(VectorIndex.matches(p, Map.of("years", JsonNodeFactory.instance.numberNode(3)))).isTrue();
        assertThat(VectorIndex.matches(p, Map.of("missing", text("x")))).isFalse();
    }

    static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }

    static float[] randomVector(Random random, int dims) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    static float[] randomNear(Random random, float[] centre, int dims) {
        float[] v = centre.clone();
        for (int d = 0; d < dims; d++) {
            v[d] += (float) random.nextGaussian() * 0.3f;
        }
        return v;
    }

    /** 1,000 points fill the first 1,024 slots; replacing 100 of them (too few deletions to compact) must grow the graph. */
    @Test
    void replacingPoints_whenDeletedSlotsFillTheGraph_growsIt_oneByOne_inBatches_andAfterALoad() throws Exception {
        VectorIndex one = new VectorIndex("t", new IndexParams(4, Metric.EUCLIDEAN, 8, 50, 50));
        for (int i = 0; i < 1_000; i++) {
            one.upsert("p" + i, new float[] {i, 1, 0, 0}, payload("a"));
        }
        for (int i = 0; i < 100; i++) {
            one.upsert("p" + i, new float[] {i, 2, 0, 0}, payload("b"));
        }
        assertThat(one.points()).hasSize(1_000);
        assertThat(one.get("p7").orElseThrow().payload().path("role").asText()).isEqualTo("b");

        VectorIndex batched = new VectorIndex("t", new IndexParams(4, Metric.EUCLIDEAN, 8, 50, 50));
        List<VectorIndex.Upsert> first = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            first.add(new VectorIndex.Upsert("p" + i, new float[] {i, 1, 0, 0}, payload("a")));
        }
        batched.upsertAll(first, 2);
        for (int round = 0; round < 3; round++) {
            List<VectorIndex.Upsert> again = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                again.add(new VectorIndex.Upsert("p" + i, new float[] {i, 3 + round, 0, 0}, payload("c")));
            }
            batched.upsertAll(again, 2);
        }
        assertThat(batched.points()).hasSize(1_000);

        java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
        one.saveGraph(saved);   // 1,000 live points, 100 deleted slots the loaded graph cannot count
        VectorIndex loaded = VectorIndex.loadGraph("t", new IndexParams(4, Metric.EUCLIDEAN, 8, 50, 50),
                new java.io.ByteArrayInputStream(saved.toByteArray())).orElseThrow();
        for (int i = 0; i < 100; i++) {
            loaded.upsert("p" + (500 + i), new float[] {i, 9, 0, 0}, payload("d"));
        }
        assertThat(loaded.points()).hasSize(1_000);
        assertThat(loaded.search(new float[] {5, 9, 0, 0}, 1, null, null).get(0).id()).isEqualTo("p505");
    }
}
