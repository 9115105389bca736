package dev.lakehouse.truthd;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;

/**
 * Picks the value of a subject's field from its claims, by a strategy (docs/truthd.md), and
 * says why. No I/O; linear in the claims (plus a sort of them).
 *
 * <p>A claim's rank is its own or the one the latest rank statement about it set
 * ({@link #standing}). The <em>candidates</em> are the claims that assert a value, are not
 * deprecated and are valid at the time asked about. Each source's <em>assertion</em> is its
 * latest candidate (by {@link Claim#assertedAt}, then {@code recorded_at}): a source that
 * changed its mind votes once, for what it says now. Values compare normalised by the
 * field's type.
 * <ul>
 *   <li>{@code ranked}: the best rank among the assertions (preferred over normal), then the tie-breakers;</li>
 *   <li>{@code priority}: the tie-breakers alone over the assertions, in the policy's order (by default
 *       source priority, then recency, then confidence);</li>
 *   <li>{@code vote}: the value the most sources assert; a tie goes to the value whose best claim
 *       wins the tie-breakers;</li>
 *   <li>{@code trust}: the value whose sources weigh most, each source weighted by its learned
 *       reliability ({@link TrustEstimator}) times the claim's confidence; ties as for vote.</li>
 * </ul>
 * A multi-valued field (the policy's {@code "multi": true}) answers a set: every value some
 * source asserts (under {@code ranked}, those of the best rank), each with its own support.
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

    /** One value of a multi-valued field: its best claim, the claims (one per source) that hold it, and their support. */
    public record Member(JsonNode value, String normalized, Claim claim, List<Claim.Ref> claims, double support) {
    }

    /**
     * One field's answer; {@code value} and {@code claim} are null when no claim is a candidate. For a multi-valued
     * field {@code value} is the list of the members' values and {@code values} the members, best supported first.
     */
    public record Resolution(JsonNode value, String normalized, Claim claim, Rule rule, List<Claim.Ref> agreeing,
                             List<Conflict> conflicting, List<Claim.Ref> deprecated, List<Member> values) {
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
                case RECENCY -> Comparator.comparing(Claim::assertedAt).thenComparing(Claim::recordedAt).reversed();
                case CONFIDENCE -> Comparator.comparingDouble(Claim::confidence).reversed();
            };
            c = c == null ? next : c.thenComparing(next);
        }
        return c.thenComparing(Claim::claimId);
    }

    /**
     * A field's claims (in recorded order) as they stand: each with the rank the latest rank statement about it gave it
     * (or its own), rank statements without a value left out. Linear.
     */
    static List<Claim> standing(List<Claim> claims) {
        Map<String, Claim.RankChange> change = null;
        Map<String, Claim> by = null;
        boolean valueless = false;
        for (Claim c : claims) {
            valueless |= !c.asserts();
            if (c.ranks() != null) {
                if (change == null) {
                    change = new HashMap<>();
                    by = new HashMap<>();
                }
                for (Claim.RankChange r : c.ranks()) {
                    change.put(r.claimId(), r);
                    by.put(r.claimId(), c);
                }
            }
        }
        if (change == null && !valueless) {
            return claims;
        }
        List<Claim> out = new ArrayList<>(claims.size());
        for (Claim c : claims) {
            Claim.RankChange r = change == null ? null : change.get(c.claimId());
            if (c.asserts()) {
                Claim s = r == null ? null : by.get(c.claimId());
                out.add(r == null ? c : c.ranked(r.rank(), new Claim.RankedBy(s.claimId(), s.source(), s.observedAt(), r.reason())));
            }
        }
        return out;
    }

    /** The standing claims that may win at {@code validAt}: not deprecated, valid then. */
    static List<Claim> candidates(List<Claim> standing, Instant validAt) {
        return standing.stream().filter(c -> c.rank() != Claim.Rank.DEPRECATED && c.validAt(validAt)).toList();
    }

    private static final Comparator<Claim> LATER = Comparator.comparing(Claim::assertedAt).thenComparing(Claim::recordedAt);

    /** Each source's latest candidate. */
    static List<Claim> assertions(List<Claim> candidates) {
        return latest(candidates, Claim::source);
    }

    /** Each source's latest candidate per value: a set's members are asserted one by one. */
    static List<Claim> memberAssertions(List<Claim> candidates, Normalizer type) {
        return latest(candidates, c -> c.source() + "\u0000" + type.normalize(c.value()));
    }

    private static List<Claim> latest(List<Claim> candidates, java.util.function.Function<Claim, String> key) {
        Map<String, Claim> latest = new LinkedHashMap<>();
        candidates.forEach(c -> latest.merge(key.apply(c), c, (a, b) -> LATER.compare(b, a) > 0 ? b : a));
        return List.copyOf(latest.values());
    }

    /**
     * Resolves one field.
     *
     * @param claims   the field's claims recorded by the time asked about, in recorded order
     * @param trust    the sources' estimated trust, for {@code trust}
     * @param validAt  the valid time asked about
     */
    public static Resolution resolve(List<Claim> claims, Policy policy, Policy.Rule rule, Policy.Strategy strategy,
                                     TrustEstimator.Estimate trust, Instant validAt) {
        Normalizer type = rule.type();
        List<Claim> standing = standing(claims);
        List<Claim> candidates = candidates(standing, validAt);
        List<Claim.Ref> deprecated = standing.stream().filter(c -> c.rank() == Claim.Rank.DEPRECATED).map(Claim::ref).toList();
        String ties = rule.tieBreakers().stream().map(Object::toString).collect(Collectors.joining(" > "));
        if (candidates.isEmpty()) {
            String why = standing.stream().anyMatch(c -> c.rank() != Claim.Rank.DEPRECATED) ? "none: no claim is valid at " + validAt
                    : "none: every claim is deprecated";
            return new Resolution(null, null, null, new Rule(why, strategy, Map.of()), List.of(), List.of(), deprecated,
                    rule.multi() ? List.of() : null);
        }
        Comparator<Claim> order = order(policy, rule.tieBreakers());
        if (rule.multi()) {
            return members(candidates, policy, rule, strategy, trust, order, ties, deprecated);
        }
        List<Claim> asserted = assertions(candidates);
        Map<String, List<Claim>> byValue = new LinkedHashMap<>();
        asserted.forEach(c -> byValue.computeIfAbsent(type.normalize(c.value()), k -> new ArrayList<>()).add(c));
        Map<String, Object> inputs = new LinkedHashMap<>();
        Claim winner;
        String name;
        switch (strategy) {
            case RANKED -> {
                Claim.Rank best = bestRank(asserted);
                winner = asserted.stream().filter(c -> c.rank() == best).min(order).orElseThrow();
                name = "ranked: the best rank (" + best + ") among each source's latest claim, then " + ties;
                inputs.put("rank", best.toString());
                inputs.put("candidates_of_that_rank", asserted.stream().filter(c -> c.rank() == best).count());
                inputs.put("tie_breakers", rule.tieBreakers());
            }
            case PRIORITY -> {
                winner = asserted.stream().min(order).orElseThrow();
                name = "priority: " + ties + " among each source's latest claim";
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
                name = "trust: the value whose sources weigh most by their learned reliability (CRH) and the claims' confidence, "
                        + "ties by " + ties;
                trustInputs(inputs, asserted, trust);
                Map<String, Double> shown = new LinkedHashMap<>();
                score.forEach((v, x) -> shown.put(v, round(x)));
                inputs.put("value_score", shown);
            }
            default -> throw new IllegalStateException(strategy.toString());
        }
        String won = type.normalize(winner.value());
        List<Claim.Ref> agreeing = candidates.stream().filter(c -> c != winner && type.normalize(c.value()).equals(won))
                .sorted(order).map(Claim::ref).toList();
        List<Conflict> conflicting = new ArrayList<>();
        byValue.forEach((v, cs) -> {
            if (!v.equals(won)) {
                conflicting.add(conflict(v, cs, order));
            }
        });
        return new Resolution(winner.value(), won, winner, new Rule(name, strategy, inputs), agreeing, List.copyOf(conflicting),
                deprecated, null);
    }

    /**
     * A multi-valued field: every value asserted (by each source's latest claim of that value), under {@code ranked} only
     * those of the best rank; each member's support is its sources' count, or under {@code trust} their summed weight times
     * confidence. Best supported first, then by the tie-breakers. A set has no conflicts: values left out by rank are listed
     * as conflicting.
     */
    private static Resolution members(List<Claim> candidates, Policy policy, Policy.Rule rule, Policy.Strategy strategy,
                                      TrustEstimator.Estimate trust, Comparator<Claim> order, String ties, List<Claim.Ref> deprecated) {
        Normalizer type = rule.type();
        List<Claim> asserted = memberAssertions(candidates, type);
        Claim.Rank best = strategy == Policy.Strategy.RANKED ? bestRank(asserted) : null;
        Map<String, List<Claim>> byValue = new LinkedHashMap<>();
        Map<String, List<Claim>> outranked = new LinkedHashMap<>();
        asserted.forEach(c -> (best == null || c.rank() == best ? byValue : outranked)
                .computeIfAbsent(type.normalize(c.value()), k -> new ArrayList<>()).add(c));
        outranked.keySet().removeAll(byValue.keySet());
        Map<String, Double> support = strategy == Policy.Strategy.TRUST ? TrustEstimator.scores(byValue, trust) : new LinkedHashMap<>();
        if (strategy != Policy.Strategy.TRUST) {
            byValue.forEach((v, cs) -> support.put(v, (double) cs.size()));
        }
        List<Member> members = new ArrayList<>();
        byValue.forEach((v, cs) -> {
            List<Claim> sorted = cs.stream().sorted(order).toList();
            members.add(new Member(sorted.get(0).value(), v, sorted.get(0), sorted.stream().map(Claim::ref).toList(),
                    round(support.get(v))));
        });
        members.sort(Comparator.comparingDouble(Member::support).reversed().thenComparing(Member::claim, order));
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("members", members.size());
        if (best != null) {
            inputs.put("rank", best.toString());
        }
        if (strategy == Policy.Strategy.TRUST) {
            trustInputs(inputs, asserted, trust);
        }
        inputs.put("tie_breakers", rule.tieBreakers());
        String name = "set: every value " + (best != null ? "of the best rank (" + best + ") " : "")
                + "asserted by a source's latest claim of it, by support (" + (strategy == Policy.Strategy.TRUST
                ? "the sources' learned weight times confidence" : "sources") + "), then " + ties;
        com.fasterxml.jackson.databind.node.ArrayNode value = Json.mapper().createArrayNode();
        members.forEach(m -> value.add(m.value()));
        List<Conflict> conflicting = new ArrayList<>();
        outranked.forEach((v, cs) -> conflicting.add(conflict(v, cs, order)));
        String normalized = members.stream().map(Member::normalized).sorted().collect(Collectors.joining("\n"));
        return new Resolution(value, normalized, members.get(0).claim(), new Rule(name, strategy, inputs), List.of(),
                List.copyOf(conflicting), deprecated, List.copyOf(members));
    }

    private static Conflict conflict(String normalized, List<Claim> claims, Comparator<Claim> order) {
        List<Claim> sorted = claims.stream().sorted(order).toList();
        return new Conflict(sorted.get(0).value(), normalized, sorted.stream().map(Claim::ref).toList());
    }

    private static Claim.Rank bestRank(List<Claim> claims) {
        return claims.stream().anyMatch(c -> c.rank() == Claim.Rank.PREFERRED) ? Claim.Rank.PREFERRED : Claim.Rank.NORMAL;
    }

    private static void trustInputs(Map<String, Object> inputs, List<Claim> asserted, TrustEstimator.Estimate trust) {
        Map<String, Double> trusts = new LinkedHashMap<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        asserted.forEach(c -> {
            trusts.put(c.source(), round(trust.trustOf(c.source())));
            weights.put(c.source(), round(trust.weightOf(c.source())));
        });
        inputs.put("source_trust", trusts);
        inputs.put("source_weight", weights);
        inputs.put("trust_estimated_at", trust.estimatedAt() == null ? null : trust.estimatedAt().toString());
        if (trust.asOf() != null) {
            inputs.put("trust_as_of", trust.asOf().toString());
        }
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
