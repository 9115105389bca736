package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The budgets file: what it takes, every line it refuses (naming the line), and the periods' edges. */
class BudgetsTest {
    static final String FILE = """
            # key   period  limits
            alice   day     tokens=200000 cost=5.00
            alice   month   cost=100
            batch   DAY     tokens=1000000   model=openrouter/openai/gpt-4o-mini

            zero    day     tokens=0
            """;

    @Test
    void aFile_givesEveryLine_withItsLimitsAndLine() {
        Budgets b = Budgets.parse(FILE.lines().toList(), "test");
        assertThat(b.all()).hasSize(4);
        assertThat(b.all().get(0)).isEqualTo(new Budgets.Budget(2, "alice", Budgets.Period.DAY, 200_000L, new BigDecimal("5.00"), null));
        assertThat(b.all().get(1).tokens()).isNull();
        assertThat(b.all().get(2).model()).isEqualTo("openrouter/openai/gpt-4o-mini");
        assertThat(b.all().get(3).tokens()).isZero();
        assertThat(b.of("alice", "ollama/qwen2.5:7b")).extracting(Budgets.Budget::name).containsExactly("alice/day", "alice/month");
        assertThat(b.of("batch", "ollama/qwen2.5:7b")).isEmpty();
        assertThat(b.of("batch", "openrouter/openai/gpt-4o-mini")).hasSize(1);
        assertThat(b.limits("alice")).isTrue();
        assertThat(b.limits("admin")).as("a key with no line is unlimited").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "alice                                        | is not 'key period limit",
            "alice day                                    | is not 'key period limit",
            "alice week tokens=1                          | the period 'week' is not day or month",
            "alice day model=ollama/x                     | gives no limit",
            "alice day tokens=-1                          | tokens must be 0 to",
            "alice day tokens=1.5                         | tokens must be a whole number",
            "alice day tokens=99999999999999999999999     | tokens must be a whole number",
            "alice day tokens=1000000000000000001         | tokens must be 0 to",
            "alice day tokens=                            | tokens must be a whole number",
            "alice day cost=NaN                           | cost must be a number of dollars",
            "alice day cost=Infinity                      | cost must be a number of dollars",
            "alice day cost=-0.01                         | cost must be 0 to",
            "alice day cost=1e999999999                   | cost must be 0 to",
            "alice day cost=1000000000.01                 | cost must be 0 to",
            "alice day cost=five                          | cost must be a number of dollars",
            "alice day tokens=5 limit=3                   | 'limit=3' is not tokens=N",
            "alice day tokens=5 model=gpt-4o              | model= must be provider/model",
            "alice day tokens=5 model=openrouter/         | model= must be provider/model",
    })
    void aBadLine_isRefused_namingItsLine(String line, String says) {
        assertThatThrownBy(() -> Budgets.parse(List.of("# first", line), "LAKEHOUSE_BUDGETS_FILE b.txt"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LAKEHOUSE_BUDGETS_FILE b.txt line 2")
                .hasMessageContaining(says);
    }

    @Test
    void theSameBudgetTwice_isRefused() {
        assertThatThrownBy(() -> Budgets.parse(List.of("a day tokens=1", "a day cost=2"), "f"))
                .hasMessageContaining("f line 2 repeats the budget a/day");
        assertThat(Budgets.parse(List.of("a day tokens=1", "a day tokens=2 model=p/m", "a month tokens=3"), "f").all()).hasSize(3);
    }

    @Test
    void aBudgetForAKeyNoOneHolds_isRefused_namingTheLine() {
        Budgets b = Budgets.parse(FILE.lines().toList(), "test");
        b.requireKeys(Set.of("alice", "batch", "zero"), "test");
        assertThatThrownBy(() -> b.requireKeys(Set.of("alice", "zero"), "LAKEHOUSE_BUDGETS_FILE f"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LAKEHOUSE_BUDGETS_FILE f line 4 budgets the key 'batch'");
    }

    @Test
    void aFileThatCannotBeRead_isSaid() {
        assertThatThrownBy(() -> Budgets.load(java.nio.file.Path.of("/nonexistent/budgets")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    }

    @ParameterizedTest
    @CsvSource({
            "DAY,   2026-12-07T23:59:59.999Z, 2026-12-07T00:00:00Z, 2026-12-08T00:00:00Z",
            "DAY,   2026-12-31T12:00:00Z,     2026-12-31T00:00:00Z, 2027-01-01T00:00:00Z",
            "MONTH, 2026-12-07T10:00:00Z,     2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
            "MONTH, 2028-02-29T23:00:00Z,     2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z",
    })
    void periods_startAndReset_onUtcCalendarEdges(Budgets.Period p, String at, String start, String resets) {
        assertThat(p.start(Instant.parse(at))).isEqualTo(Instant.parse(start));
        assertThat(p.resets(Instant.parse(at))).isEqualTo(Instant.parse(resets));
    }
}
