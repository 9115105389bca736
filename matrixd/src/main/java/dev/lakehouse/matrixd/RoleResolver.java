package dev.lakehouse.matrixd;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.logging.Logger;

import com.fasterxml.jackson.annotation.JsonValue;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lakehouse.common.ApiException;

/**
 * The roles of a retrieve. The caller's {@code query_role} is canonicalized through the
 * {@link RoleExtractor} ("Forklift Driver" → forklift operator; several roles named →
 * all of them); one it cannot place is a 400 {@code unknown_role} naming the closest
 * known roles. Without one: the dictionary pass over the query (every role it names,
 * in order); only when that finds nothing, one constrained question to an LLM through
 * chatd (answer exactly one of the known roles, or "none"). Extractions are cached by
 * query (Caffeine, {@value #CACHE_SIZE} entries). A chatd failure never fails the
 * retrieve: it is cached for that query for {@link #FAILURE_TTL}, and no query asks
 * chatd again for {@link #BACK_OFF} — so a stack without a provider does not pay a
 * failing call per retrieve.
 */
final class RoleResolver {
    private static final Logger LOG = Logger.getLogger(RoleResolver.class.getName());
    static final int CACHE_SIZE = 10_000;
    static final java.time.Duration FAILURE_TTL = java.time.Duration.ofSeconds(60);
    static final java.time.Duration BACK_OFF = java.time.Duration.ofSeconds(30);

    /** Where the roles came from; on the wire lower case. */
    enum Source {
        REQUEST, DICTIONARY, LLM, NONE;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The roles (the first is the query's {@code query_role}), where they came from, and why there are none. */
    record Resolved(List<String> roles, Source source, String why) {
        String role() {
            return roles.isEmpty() ? null : roles.get(0);
        }
    }

    static final Resolved NONE = new Resolved(List.of(), Source.NONE, null);

    private final RoleExtractor extractor;
    private final RoleGate gate;
    /** Asks the LLM (system, user) → its answer; null when no chatd is to be asked. */
    private final BiFunction<String, String, String> llm;
    private final Cache<String, Resolved> cache = Caffeine.newBuilder().maximumSize(CACHE_SIZE).build();
    private final Cache<String, Resolved> failures = Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(FAILURE_TTL).build();
    private volatile long askAgainAt;   // System.nanoTime() before which chatd is not asked (after a failure)
    private final String system;

    RoleResolver(RoleExtractor extractor, RoleGate gate, BiFunction<String, String, String> llm) {
        this.extractor = extractor;
        this.gate = gate;
        this.llm = llm;
        this.system = "You classify staffing queries. Answer with exactly one of these roles, in lower case, or with none: "
                + String.join("; ", gate.known()) + ". No other words.";
    }

    /** The caller's role, canonical: the roles it names, or itself when known; 400 {@code unknown_role} otherwise. */
    List<String> canonical(String queryRole) {
        List<String> named = extractor.roles(queryRole);
        if (!named.isEmpty()) {
            return named;
        }
        String n = RoleGate.normal(queryRole);
        if (gate.isKnown(n)) {
            return List.of(n);
        }
        throw new ApiException.BadRequest("unknown_role", "query_role: '" + (n.length() > 60 ? n.substring(0, 60) + "…" : n)
                + "' is not a role this roster knows; the closest: " + String.join(", ", gate.closest(n, 3)));
    }

    /** The roles; {@code mayAsk} false: the dictionary pass only (no gated corpus needs the role). */
    Resolved resolve(String queryRole, String query, boolean mayAsk) {
        if (queryRole != null) {
            return new Resolved(canonical(queryRole), Source.REQUEST, null);
        }
        String key = String.join(" ", RoleExtractor.words(query));
        Resolved cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        List<String> roles = extractor.roles(query);
        if (!roles.isEmpty()) {
            Resolved r = new Resolved(roles, Source.DICTIONARY, null);
            cache.put(key, r);
            return r;
        }
        if (llm == null || !mayAsk) {
            return NONE;
        }
        Resolved failed = failures.getIfPresent(key);
        if (failed != null) {
            return failed;
        }
        if (System.nanoTime() - askAgainAt < 0) {
            return new Resolved(List.of(), Source.NONE, "role extraction through chatd is backing off after a failure");
        }
        try {
            String answer = llm.apply(system, query);
            answer = answer == null || answer.length() > 100 ? "" : RoleGate.normal(answer.replaceAll("[\"'`.]", ""));
            Resolved r = gate.isKnown(answer) ? new Resolved(List.of(answer), Source.LLM, null) : NONE;
            cache.put(key, r);
            return r;
        } catch (ApiException e) {
            if (e.code().equals("budget_exceeded")) {   // this caller's budget, not chatd's health: no back-off, nothing cached
                return new Resolved(List.of(), Source.NONE, "role extraction through chatd was refused: the caller's budget is spent");
            }
            askAgainAt = System.nanoTime() + BACK_OFF.toNanos();
            LOG.warning("role extraction through chatd failed (" + e.code() + "): roles unknown; chatd is asked again in "
                    + BACK_OFF.toSeconds() + " s");
            Resolved r = new Resolved(List.of(), Source.NONE, "role extraction through chatd failed (" + e.code() + ")");
            failures.put(key, r);
            return r;
        }
    }

    /** Forgets the cached extractions of queries naming a person (an erasure); returns how many. */
    int erase(dev.lakehouse.common.SubjectIdentifiers subject) {
        int n = 0;
        for (Cache<String, Resolved> c : java.util.List.of(cache, failures)) {
            for (String k : java.util.List.copyOf(c.asMap().keySet())) {
                if (subject.matches(k) && c.asMap().remove(k) != null) {
                    n++;
                }
            }
        }
        return n;
    }
}
