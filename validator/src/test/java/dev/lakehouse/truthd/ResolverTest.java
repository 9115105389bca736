package dev.lakehouse.truthd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy table: each strategy and tie-breaker order on small claim sets, with the value each must pick. */
class ResolverTest {
    static final Instant T = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2026-12-20T00:00:00Z");
    static final Policy POLICY = Policy.of(("{\"sources\":[\"roster\",\"crm\",\"llm\"],"
            + "\"default\":{\"strategy\":\"priority\",\"tie_breakers\":[\"priority\",\"recency\",\"confidence\"]},"
            + "\"fields\":{\"phone\":{\"type\":\"phone\"},\"by_recency\":{\"tie_breakers\":[\"recency\",\"priority\"]},"
            + "\"by_confidence\":{\"tie_breakers\":[\"confidence\"]}}}").getBytes(), "test");
    static int n;

    /** A claim: source, value, observed day (of November), confidence, rank. */
    static Claim c(String source, String value, int day, double confidence, Claim.Rank rank) {
        n++;
        return new Claim("c" + n, "worker:W1", "f", TextNode.valueOf(value), source, T.plusSeconds(86_400L * day),
                T.plusSeconds(86_400L * 40 + n), confidence, rank, null, null, null, null, null);
    }

    static Claim c(String source, String value, int day) {
        return c(source, value, day, 1.0, Claim.Rank.NORMAL);
    }

    static String pick(String field, Policy.Strategy strategy, List<Claim> claims) {
        Resolver.Resolution r = Resolver.resolve(claims, POLICY, POLICY.rule(field), strategy, TrustEstimator.Estimate.NONE, NOW);
        return r.value() == null ? null : r.value().asText();
    }

    static Stream<Arguments> table() {
        Claim.Rank p = Claim.Rank.PREFERRED;
        Claim.Rank d = Claim.Rank.DEPRECATED;
        return Stream.of(
                // priority: the policy's source order first
                Arguments.of("priority: roster over crm, though older", "f", Policy.Strategy.PRIORITY,
                        List.of(c("crm", "B", 9), c("roster", "A", 1)), "A"),
                Arguments.of("priority: an unlisted source comes last", "f", Policy.Strategy.PRIORITY,
                        List.of(c("web", "W", 9), c("llm", "L", 1)), "L"),
                Arguments.of("priority: same source, the more recent", "f", Policy.Strategy.PRIORITY,
                        List.of(c("crm", "old", 1), c("crm", "new", 5)), "new"),
                Arguments.of("priority: same source and time, the more confident", "f", Policy.Strategy.PRIORITY,
                        List.of(c("crm", "low", 3, 0.4, Claim.Rank.NORMAL), c("crm", "high", 3, 0.9, Claim.Rank.NORMAL)), "high"),
                Arguments.of("tie-breakers in another order: recency first", "by_recency", Policy.Strategy.PRIORITY,
                        List.of(c("roster", "A", 1), c("llm", "L", 9)), "L"),
                Arguments.of("tie-breakers: confidence alone", "by_confidence", Policy.Strategy.PRIORITY,
                        List.of(c("roster", "A", 9, 0.5, Claim.Rank.NORMAL), c("llm", "L", 1, 0.8, Claim.Rank.NORMAL)), "L"),
                Arguments.of("priority: deprecated never wins", "f", Policy.Strategy.PRIORITY,
                        List.of(c("roster", "A", 9, 1, d), c("llm", "L", 1)), "L"),
                // ranked
                Arguments.of("ranked: preferred beats a higher-priority normal", "f", Policy.Strategy.RANKED,
                        List.of(c("roster", "A", 9), c("llm", "L", 1, 0.1, p)), "L"),
                Arguments.of("ranked: among preferred, the tie-breakers", "f", Policy.Strategy.RANKED,
                        List.of(c("llm", "L", 9, 1, p), c("crm", "C", 1, 1, p), c("roster", "A", 9)), "C"),
                Arguments.of("ranked: deprecated never wins, even alone with normal elsewhere", "f", Policy.Strategy.RANKED,
                        List.of(c("roster", "A", 9, 1, d), c("llm", "L", 1, 0.2, Claim.Rank.NORMAL)), "L"),
                Arguments.of("ranked: every claim deprecated, no value", "f", Policy.Strategy.RANKED,
                        List.of(c("roster", "A", 9, 1, d)), null),
                // vote: one vote per source, for its latest claim; values normalised
                Arguments.of("vote: the majority", "f", Policy.Strategy.VOTE,
                        List.of(c("roster", "A", 1), c("crm", "B", 1), c("llm", "B", 1)), "B"),
                Arguments.of("vote: a source votes once, for what it says now", "f", Policy.Strategy.VOTE,
                        List.of(c("llm", "B", 1), c("llm", "B", 2), c("llm", "A", 3), c("roster", "A", 1), c("crm", "B", 1)), "A"),
                Arguments.of("vote: a tie goes to the tie-breakers (roster first)", "f", Policy.Strategy.VOTE,
                        List.of(c("crm", "B", 9), c("roster", "A", 1)), "A"),
                Arguments.of("vote: phone formats agree", "phone", Policy.Strategy.VOTE,
                        List.of(c("roster", "614-555-0101", 1), c("crm", "(614) 555 0199", 1), c("llm", "+1 614.555.0199", 1)),
                        "(614) 555 0199"),
                Arguments.of("vote: text case and spacing agree", "f", Policy.Strategy.VOTE,
                        List.of(c("roster", "Active", 1), c("crm", "  active ", 1), c("llm", "inactive", 1)), "Active"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void thePolicyTable(String name, String field, Policy.Strategy strategy, List<Claim> claims, String expected) {
        assertThat(pick(field, strategy, claims)).isEqualTo(expected);
    }

    @Test
    void theAnswer_namesTheRule_theAgreeingAndTheConflictingClaims() {
        Claim a = c("roster", "614-555-0101", 1);
        Claim b = c("crm", "614.555.0101", 2);
        Claim x = c("llm", "614-555-0199", 3);
        Claim gone = c("crm", "614-555-0000", 0, 1, Claim.Rank.DEPRECATED);
        Resolver.Resolution r = Resolver.resolve(List.of(a, b, x, gone), POLICY, POLICY.rule("phone"), Policy.Strategy.PRIORITY,
                TrustEstimator.Estimate.NONE, NOW);
        assertThat(r.claim()).isEqualTo(a);
        assertThat(r.normalized()).isEqualTo("6145550101");
        assertThat(r.rule().name()).isEqualTo("priority: priority > recency > confidence among each source's latest claim");
        assertThat(r.rule().inputs()).containsEntry("source_priority", List.of("roster", "crm", "llm"));
        assertThat(r.agreeing()).extracting(Claim.Ref::claimId).containsExactly(b.claimId());
        assertThat(r.conflicting()).hasSize(1);
        assertThat(r.conflicting().get(0).claims()).extracting(Claim.Ref::source).containsExactly("llm");
        assertThat(r.deprecated()).extracting(Claim.Ref::claimId).containsExactly(gone.claimId());
    }

    @Test
    void trust_weighsVotesByTheSourcesEstimatedReliability() {
        List<Claim> claims = new ArrayList<>(List.of(c("good", "A", 1), c("bad1", "B", 1), c("bad2", "B", 1)));
        TrustEstimator.Estimate trust = new TrustEstimator.Estimate(Map.of("good", 0.99, "bad1", 0.3, "bad2", 0.3),
                Map.of("good", 5.0, "bad1", 1.0, "bad2", 1.0), Map.of(), 1, 1, 0, null, T, 0);
        Resolver.Resolution r = Resolver.resolve(claims, POLICY, POLICY.rule("f"), Policy.Strategy.TRUST, trust, NOW);
        assertThat(r.value().asText()).isEqualTo("A");
        assertThat(r.rule().inputs()).containsKeys("source_trust", "source_weight", "value_score");
        assertThat(Resolver.resolve(claims, POLICY, POLICY.rule("f"), Policy.Strategy.VOTE, trust, NOW).value().asText()).isEqualTo("B");
    }
}
