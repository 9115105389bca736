package dev.lakehouse.truthd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Picks one value for a subject's field from its claims, by a strategy (docs/truthd.md), and
 * says why. No I/O; linear in the claims (plus a sort of them).
 *
 * <p>The candidates are the claims that are not deprecated. Each source's <em>assertion</em>
 * is its latest candidate (by {@code observed_at}, then {@code recorded_at}): a source that
 * changed its mind votes once, for what it says now. Values compare normalised by the
 * field's type.
 * <ul>
 *   <li>{@code ranked}: the best rank among the candidates (preferred over normal), then the tie-breakers;</li>
 *   <li>{@code priority}: the tie-breakers alone, in the policy's order (by default source priority,
 *       then recency, then confidence);</li>
 *   <li>{@code vote}: the value the most sources assert; a tie goes to the value whose best claim
 *       wins the tie-breakers;</li>
 *   <li>{@code trust}: the value whose sources weigh most, each source weighted by its learned
 *       reliability ({@link TrustEstimator}); ties as for vote.</li>
 * </ul>
 * Every answer names the winning claim, the rule with the inputs it weighed, the claims that
 * agree, and the conflicting values with their claims.
 */
public final class Resolver {
    private Resolver() {
    }

    /** The rule that chose: a readable name, the strategy, and what it weighed. */
    public record Rule(String name, Policy.Strategy strategy, Map<String, Object> inputs) {
    }

    /** A value other than the winner's, and the claims (assertions) that hold it. */
    public record Conflict(JsonNode value, String normalized, List<Claim.Ref> claims) {
    }

    /** One field's answer; {@code value} and {@code claim} are null when every claim is deprecated. */
    public record Resolution(JsonNode value, String normalized, Claim claim, Rule rule, List<Claim.Ref> agreeing,
                             List<Conflict> conflicting, List<Claim.Ref> deprecated) {
        public boolean conflicted() {
            return !conflicting.isEmpty();
        }
    }

    /** The order the tie-breakers give: the first claim wins; the claim id decides what nothing else does. */
    static Comparator<Claim> order(Policy policy, List<Policy.TieBreaker> tieBreakers) {
        Comparator<Claim> c = null;
        for (Policy.TieBreaker t : tieBreakers) {
            Comparator<Claim> next = switch (t) {
                case PRIORITY -> Comparator.comparingInt(x -> policy.priority(x.source()));
                case RECENCY -> Comparator.comparing(Claim::observedAt).thenComparing(Claim::recordedAt).reversed();
                case CONFIDENCE -> Comparator.comparingDouble(Claim::confidence).reversed();
            };
            c = c == null ? next : c.thenComparing(next);
        }
        return c.thenComparing(Claim::claimId);
    }

    /** Each source's latest candidate. */
    static List<Claim> assertions(List<Claim> candidates) {
        Map<String, Claim> latest = new LinkedHashMap<>();
        for (Claim c : candidates) {
            latest.merge(c.source(), c, (a, b) -> b.observedAt().compareTo(a.observedAt()) > 0
                    || b.observedAt().equals(a.observedAt()) && b.recordedAt().compareTo(a.recordedAt()) > 0 ? b : a);
        }
        return List.copyOf(latest.values());
    }

    /**
     * Resolves one field.
     *
     * @param claims   the field's claims (recorded by the time asked about), in any order
     * @param trust    the sources' estimated trust, for {@code trust}
     */
    public static Resolution resolve(List<Claim> claims, Policy policy, Policy.Rule rule, Policy.Strategy strategy,
                                     TrustEstimator.Estimate trust) {
        Normalizer type = rule.type();
        List<Claim> candidates = claims.stream().filter(c -> c.rank() != Claim.Rank.DEPRECATED).toList();
        List<Claim.Ref> deprecated = claims.stream().filter(c -> c.rank() == Claim.Rank.DEPRECATED).map(Claim::ref).toList();
        String ties = rule.tieBreakers().stream().map(Object::toString).collect(Collectors.joining(" > "));
        if (candidates.isEmpty()) {
            return new Resolution(null, null, null, new Rule("none: every claim is deprecated", strategy, Map.of()), List.of(),
                    List.of(), deprecated);
        }
        Comparator<Claim> order = order(policy, rule.tieBreakers());
        List<Claim> asserted = assertions(candidates);
        Map<String, List<Claim>> byValue = new LinkedHashMap<>();
        asserted.forEach(c -> byValue.computeIfAbsent(type.normalize(c.value()), k -> new ArrayList<>()).add(c));
        Map<String, Object> inputs = new LinkedHashMap<>();
        Claim winner;
        String name;
        switch (strategy) {
            case RANKED -> {
                Claim.Rank best = candidates.stream().anyMatch(c -> c.rank() == Claim.Rank.PREFERRED) ? Claim.Rank.PREFERRED
                        : Claim.Rank.NORMAL;
                winner = candidates.stream().filter(c -> c.rank() == best).min(order).orElseThrow();
                name = "ranked: the best rank (" + best + "), then " + ties;
                inputs.put("rank", best.toString());
                inputs.put("candidates_of_that_rank", candidates.stream().filter(c -> c.rank() == best).count());
                inputs.put("tie_breakers", rule.tieBreakers());
            }
            case PRIORITY -> {
                winner = candidates.stream().min(order).orElseThrow();
                name = "priority: " + ties;
                inputs.put("tie_breakers", rule.tieBreakers());
                inputs.put("source_priority", policy.sources());
            }
            case VOTE -> {
                Map<String, Integer> votes = new LinkedHashMap<>();
                byValue.forEach((v, cs) -> votes.put(v, cs.size()));
                int most = votes.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
                winner = best(byValue, order, v -> votes.get(v) == most);
                name = "vote: the value most sources assert (" + most + " of " + asserted.size() + "), ties by " + ties;
                inputs.put("votes", votes);
            }
            case TRUST -> {
                Map<String, Double> score = TrustEstimator.scores(byValue, trust);
                double top = score.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                winner = best(byValue, order, v -> score.get(v) == top);
                name = "trust: the value whose sources weigh most by their learned reliability (CRH), ties by " + ties;
                Map<String, Double> trusts = new LinkedHashMap<>();
                Map<String, Double> weights = new LinkedHashMap<>();
                asserted.forEach(c -> {
                    trusts.put(c.source(), round(trust.trustOf(c.source())));
                    weights.put(c.source(), round(trust.weightOf(c.source())));
                });
                Map<String, Double> shown = new LinkedHashMap<>();
                score.forEach((v, x) -> shown.put(v, round(x)));
                inputs.put("source_trust", trusts);
                inputs.put("source_weight", weights);
                inputs.put("value_score", shown);
                inputs.put("trust_estimated_at", trust.estimatedAt() == null ? null : trust.estimatedAt().toString());
            }
            default -> throw new IllegalStateException(strategy.toString());
        }
        String won = type.normalize(winner.value());
        List<Claim.Ref> agreeing = candidates.stream().filter(c -> c != winner && type.normalize(c.value()).equals(won))
                .sorted(order).map(Claim::ref).toList();
        List<Conflict> conflicting = new ArrayList<>();
        byValue.forEach((v, cs) -> {
            if (!v.equals(won)) {
                List<Claim> sorted = cs.stream().sorted(order).toList();
                conflicting.add(new Conflict(sorted.get(0).value(), v, sorted.stream().map(Claim::ref).toList()));
            }
        });
        return new Resolution(winner.value(), won, winner, new Rule(name, strategy, inputs), agreeing, List.copyOf(conflicting),
                deprecated);
    }

    /** The winning claim among the values {@code tied} admits: the tie-breakers' first of their claims. */
    private static Claim best(Map<String, List<Claim>> byValue, Comparator<Claim> order, java.util.function.Predicate<String> tied) {
        return byValue.entrySet().stream().filter(e -> tied.test(e.getKey())).flatMap(e -> e.getValue().stream()).min(order)
                .orElseThrow();
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
