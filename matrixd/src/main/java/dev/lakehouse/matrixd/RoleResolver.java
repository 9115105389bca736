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
 * The role of a retrieve: the caller's {@code query_role} when given; else the
 * {@link RoleExtractor}'s dictionary pass (the first role the query names); only
 * when that finds nothing, one constrained question to an LLM through chatd
 * (answer exactly one of the known roles, or "none"; anything else is none). The
 * extractions are cached by query (Caffeine, {@value #CACHE_SIZE} entries); a chatd
 * failure is not cached and never fails the retrieve (the role is then unknown).
 */
final class RoleResolver {
    private static final Logger LOG = Logger.getLogger(RoleResolver.class.getName());
    static final int CACHE_SIZE = 10_000;

    /** Where a role came from; on the wire lower case. */
    enum Source {
        REQUEST, DICTIONARY, LLM, NONE;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Resolved(String role, Source source) {
    }

    static final Resolved NONE = new Resolved(null, Source.NONE);

    private final RoleExtractor extractor;
    private final RoleGate gate;
    /** Asks the LLM (system, user) → its answer; null when no chatd is to be asked. */
    private final BiFunction<String, String, String> llm;
    private final Cache<String, Resolved> cache = Caffeine.newBuilder().maximumSize(CACHE_SIZE).build();
    private final String system;

    RoleResolver(RoleExtractor extractor, RoleGate gate, BiFunction<String, String, String> llm) {
        this.extractor = extractor;
        this.gate = gate;
        this.llm = llm;
        this.system = "You classify staffing queries. Answer with exactly one of these roles, in lower case, or with none: "
                + String.join("; ", gate.known()) + ". No other words.";
    }

    /** The role; {@code mayAsk} false: the dictionary pass only (no gated corpus needs the role). */
    Resolved resolve(String queryRole, String query, boolean mayAsk) {
        if (queryRole != null) {
            return new Resolved(RoleGate.normal(queryRole), Source.REQUEST);
        }
        String key = String.join(" ", RoleExtractor.words(query));
        Resolved cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        List<String> roles = extractor.roles(query);
        if (!roles.isEmpty()) {
            Resolved r = new Resolved(roles.get(0), Source.DICTIONARY);
            cache.put(key, r);
            return r;
        }
        if (llm == null || !mayAsk) {
            return NONE;
        }
        try {
            String answer = llm.apply(system, query);
            answer = answer == null || answer.length() > 100 ? "" : RoleGate.normal(answer.replaceAll("[\"'`.]", ""));
            Resolved r = gate.isKnown(answer) ? new Resolved(answer, Source.LLM) : NONE;
            cache.put(key, r);
            return r;
        } catch (ApiException e) {
            LOG.warning("role extraction through chatd failed (" + e.code() + "): the query's role is unknown");
            return NONE;
        }
    }
}
