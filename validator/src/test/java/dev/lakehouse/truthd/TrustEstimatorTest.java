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
            b.add(claims(v));
        }
        Map<String, List<String>> everest = new LinkedHashMap<>();   // 29,035 ft is right; three sources say 29,002
        everest.put("29035", List.of("A", "B"));
        everest.put("29002", List.of("C", "D", "E"));
        b.add(claims(everest));
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
        assertThat(Resolver.resolve(claims, policy, rule, Policy.Strategy.VOTE, e, T).value().asText()).isEqualTo("29,002 ft");
        Resolver.Resolution byTrust = Resolver.resolve(claims, policy, rule, Policy.Strategy.TRUST, e, T);
        assertThat(byTrust.value().asText()).isEqualTo("29,035 ft");
        assertThat(byTrust.conflicting()).hasSize(1);
    }

    @Test
    void withoutConflicts_everySourceIsTrusted_andAnUnseenSourceIsHalfTrusted() {
        TrustEstimator.Builder b = new TrustEstimator.Builder();
        for (int q = 0; q < 10; q++) {
            b.add(claims(Map.of("v" + q, List.of("A", "B"))));
        }
        TrustEstimator.Estimate e = b.estimate();
        assertThat(e.trust().get("A")).isEqualTo(e.trust().get("B")).isGreaterThan(0.9);
        assertThat(e.trustOf("never-seen")).isEqualTo(TrustEstimator.UNKNOWN);
        assertThat(e.weightOf("never-seen")).isEqualTo(e.weight().get("A"));
        assertThat(e.objects()).isEqualTo(10);
        assertThat(e.assertions()).containsEntry("A", 10);
    }

    @Test
    void aSourceAloneOnItsFields_learnsNothingFromThem_andStillLosesWhereItIsContradicted() {
        // "solo" is outvoted on every contested field but alone on 160 others; "steady" is always corroborated.
        TrustEstimator.Builder b = new TrustEstimator.Builder();
        for (int q = 0; q < 40; q++) {
            b.add(claims(Map.of("right-" + q, List.of("steady", "peer"), "wrong-" + q, List.of("solo"))));
        }
        for (int q = 0; q < 160; q++) {
            b.add(claims(Map.of("alone-" + q, List.of("solo"))));
        }
        TrustEstimator.Estimate e = b.estimate();
        System.out.println("uncorroborated case: trust " + e.trust() + ", " + e.uncorroborated() + " fields left out");
        assertThat(e.uncorroborated()).isEqualTo(160);
        assertThat(e.objects()).isEqualTo(40);
        assertThat(e.trust().get("solo")).isLessThan(0.1);
        assertThat(e.trust().get("steady")).isGreaterThan(0.9);
        // one more field where only the two meet: trust picks steady's value, where a vote is a tie
        List<Claim> field = List.of(claim("x1", "solo", "A"), claim("x2", "steady", "B"));
        Policy policy = Policy.builtIn();
        Resolver.Resolution r = Resolver.resolve(field, policy, policy.rule("height"), Policy.Strategy.TRUST, e, T);
        assertThat(r.value().asText()).isEqualTo("B");
    }

    @Test
    void aClaimsConfidence_weighsInItsVote_andInWhatItTeachesAboutItsSource() {
        TrustEstimator.Builder b = new TrustEstimator.Builder();
        for (int q = 0; q < 30; q++) {   // unsure claims that turn out wrong cost their source little
            b.add(Map.of("t" + q, List.of(claim("a" + q, "A", "t", 1.0), claim("b" + q, "B", "t", 1.0)),
                    "u" + q, List.of(claim("c" + q, "C", "u", 0.1))));
        }
        TrustEstimator.Estimate e = b.estimate();
        assertThat(e.trust().get("C")).isGreaterThan(0.15);   // 30 wrong claims at 0.1 count as 3: 1 - 4/5
        TrustEstimator.Builder sure = new TrustEstimator.Builder();
        for (int q = 0; q < 30; q++) {   // the same claims, all sure
            sure.add(claims(Map.of("t" + q, List.of("A", "B"), "u" + q, List.of("C"))));
        }
        TrustEstimator.Estimate plain = sure.estimate();
        assertThat(plain.trust().get("C")).isLessThan(e.trust().get("C"));
        // the trust strategy: an equal-weight source sure of its value beats one that is not
        List<Claim> field = List.of(claim("s1", "A", "sure", 0.9), claim("s2", "B", "unsure", 0.2));
        Policy policy = Policy.builtIn();
        assertThat(Resolver.resolve(field, policy, policy.rule("f"), Policy.Strategy.TRUST, TrustEstimator.Estimate.NONE, T)
                .value().asText()).isEqualTo("sure");
    }

    static final java.time.Instant T = java.time.Instant.parse("2026-11-01T00:00:00Z");

    /** The claims of one field: value → its sources, each a claim of confidence 1. */
    static Map<String, List<Claim>> claims(Map<String, List<String>> valueSources) {
        Map<String, List<Claim>> out = new LinkedHashMap<>();
        valueSources.forEach((v, ss) -> out.put(v, ss.stream().map(s -> claim(s + "-" + v, s, v)).toList()));
        return out;
    }

    static Claim claim(String id, String source, String value) {
        return claim(id, source, value, 1.0);
    }

    static Claim claim(String id, String source, String value, double confidence) {
        return new Claim(id, "mountain:everest", "height", TextNode.valueOf(value), source, T, T, confidence, Claim.Rank.NORMAL,
                null, null, null, null, null);
    }
}
