package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import dev.lakehouse.common.ApiException;
import org.junit.jupiter.api.Test;

/** The role question to chatd: a refusal of one caller's budget is that caller's, a chatd failure everyone's. */
class RoleResolverTest {
    static final String QUERY = "someone to run the big machines on nights";   // names no role: the LLM is asked

    final Deque<Object> answers = new ArrayDeque<>();
    int asked;
    final RoleResolver resolver = new RoleResolver(RoleExtractor.standard(), RoleGate.standard(), (system, user) -> {
        asked++;
        Object next = answers.poll();
        if (next instanceof RuntimeException e) {
            throw e;
        }
        return (String) next;
    });

    @Test
    void aCallersSpentBudget_isNotCachedNorABackOff_forTheNextCaller() {
        answers.add(new ApiException.BadRequest(429, "budget_exceeded", "key 'alice' would pass its day budget", Map.of()));
        answers.add("machine operator");
        RoleResolver.Resolved refused = resolver.resolve(null, QUERY, true);
        assertThat(refused.roles()).isEmpty();
        assertThat(refused.why()).contains("budget");
        RoleResolver.Resolved next = resolver.resolve(null, QUERY, true);
        assertThat(asked).as("asked again at once").isEqualTo(2);
        assertThat(next.roles()).containsExactly("machine operator");
    }

    @Test
    void aChatdFailure_backsOffForEveryone() {
        answers.add(new ApiException.Unavailable("chatd", "peer_unavailable", "down", Map.of(), null));
        assertThat(resolver.resolve(null, QUERY, true).why()).contains("failed");
        assertThat(resolver.resolve(null, QUERY + " please", true).why()).contains("backing off");
        assertThat(asked).isEqualTo(1);
    }
}
