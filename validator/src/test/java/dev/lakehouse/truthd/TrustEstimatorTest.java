package dev.lakehouse.truthd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

/**
 * The case of the truth-discovery survey (Li et al., "A Survey on Truth Discovery", SIGKDD
 * Explorations 2015, its Mount Everest example): on one question the majority of sources is wrong
 * and a reliable minority right. Reliability is learned from the other questions, where the two
 * reliable sources agree with each other and the three others keep contradicting everyone.
 */
class TrustEstimatorTest {
    @Test
    void aReliableMinority_outweighsAnUnreliableMajority_onceTrustIsLearned() {
        Random rng = new Random(7);
        TrustEstimator.Builder b = new TrustEstimator.Builder();
        for (int q = 0; q < 200; q++) {   // other questions: A and B give the truth, C, D and E each something else
            Map<String, List<String>> v = new LinkedHashMap<>();
            v.put("truth-" + q, List.of("A", "B"));
            for (String s : List.of("C", "D", "E")) {
                v.computeIfAbsent("noise-" + q + "-" + rng.nextInt(1_000), k -> new java.util.ArrayList<>()).add(s);
            }
            b.add(v);
        }
        Map<String, List<String>> everest = new LinkedHashMap<>();   // 29,035 ft is right; three sources say 29,002
        everest.put("29035", List.of("A", "B"));
        everest.put("29002", List.of("C", "D", "E"));
        b.add(everest);
        TrustEstimator.Estimate e = b.estimate();
        System.out.println("estimated trust: " + e.trust() + ", weights " + e.weight() + ", in " + e.rounds() + " rounds");
        assertThat(e.trust().get("A")).isEqualTo(e.trust().get("B")).isGreaterThan(0.95);
        assertThat(e.trust().get("C")).isLessThan(0.05);
        assertThat(e.weight().get("A")).isGreaterThan(3 * e.weight().get("C"));
        assertThat(e.rounds()).isLessThan(TrustEstimator.MAX_ROUNDS);

        Policy policy = Policy.builtIn();
        List<Claim> claims = new java.util.ArrayList<>();
        int n = 0;
        for (String s : List.of("A", "B")) {
            claims.add(claim("c" + n++, s, "29,035 ft"));
        }
        for (String s : List.of("C", "D", "E")) {
            claims.add(claim("c" + n++, s, "29,002 ft"));
        }
        Policy.Rule rule = policy.rule("height");
        assertThat(Resolver.resolve(claims, policy, rule, Policy.Strategy.VOTE, e).value().asText()).isEqualTo("29,002 ft");
        Resolver.Resolution byTrust = Resolver.resolve(claims, policy, rule, Policy.Strategy.TRUST, e);
        assertThat(byTrust.value().asText()).isEqualTo("29,035 ft");
        assertThat(byTrust.conflicting()).hasSize(1);
    }

    @Test
    void withoutConflicts_everySourceIsTrusted_andAnUnseenSourceIsHalfTrusted() {
        TrustEstimator.Builder b = new TrustEstimator.Builder();
        for (int q = 0; q < 10; q++) {
            b.add(Map.of("v" + q, List.of("A", "B")));
        }
        TrustEstimator.Estimate e = b.estimate();
        assertThat(e.trust().get("A")).isEqualTo(e.trust().get("B")).isGreaterThan(0.9);
        assertThat(e.trustOf("never-seen")).isEqualTo(TrustEstimator.UNKNOWN);
        assertThat(e.weightOf("never-seen")).isEqualTo(e.weight().get("A"));
        assertThat(e.objects()).isEqualTo(10);
        assertThat(e.assertions()).containsEntry("A", 10);
    }

    static Claim claim(String id, String source, String value) {
        java.time.Instant t = java.time.Instant.parse("2026-11-01T00:00:00Z");
        return new Claim(id, "mountain:everest", "height", TextNode.valueOf(value), source, t, t, 1.0, Claim.Rank.NORMAL, null);
    }
}
