package dev.lakehouse.chatd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Budgets;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Meters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets' arithmetic against figures worked out by hand, the race for a budget's last tokens, the ledger read again
 * after a restart, and usage a provider should not have reported.
 */
class SpendTest {
    static final Chat.Target CHEAP = new Chat.Target("openrouter", "cheap");
    static final Chat.Target FREE = new Chat.Target("ollama", "qwen2.5:7b");
    static final Prices PRICES = Prices.parse(Json.parse("""
            {"prices": {"openrouter/cheap": {"input": 1.00, "output": 2.00}, "ollama/*": {"input": 0, "output": 0}}}
            """.getBytes(), com.fasterxml.jackson.databind.JsonNode.class), "test");

    @TempDir
    Path dir;
    final List<Spend> open = new ArrayList<>();
    final dev.lakehouse.common.testing.MutableClock clock = new dev.lakehouse.common.testing.MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

    @AfterEach
    void close() throws Exception {
        for (Spend s : open) {
            s.close();
        }
    }

    Spend spend(String... budgetLines) throws Exception {
        Spend s = new Spend(Budgets.parse(List.of(budgetLines), "test"), PRICES, dir, new Meters(new SimpleMeterRegistry()), clock);
        open.add(s);
        return s;
    }

    static <T> T as(String caller, java.util.function.Supplier<T> body) {
        return dev.lakehouse.common.RequestContext.callAs("req-" + caller, () -> {
            dev.lakehouse.common.RequestContext.origin(caller, "/v1/chat");
            try {
                return body.get();
            } finally {
                dev.lakehouse.common.RequestContext.origin(null, null);
            }
        });
    }

    @Test
    void aCallThatCouldCrossTheBudget_isRefused_withTheBudgetItsSpendAndTheReset() throws Exception {
        Spend s = spend("alice day tokens=1000");
        Spend.Reservation r = as("alice", () -> s.reserve(FREE, 300, 300, "chat"));
        as("alice", () -> s.settle(r, Chat.Usage.of(250, 150), 600, 1000));   // 400 spent
        as("alice", () -> s.reserve(FREE, 300, 300, "chat"));                  // 400 + 600 = 1000: still fits, held
        assertThatThrownBy(() -> as("alice", () -> s.reserve(FREE, 1, 0, "chat")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("budget_exceeded");
                    assertThat(e.detail()).contains("alice", "400 spent", "600 held", "2026-12-08T00:00:00Z");
                    assertThat(e.headers()).containsEntry("Retry-After", Long.toString(14 * 3600));
                    @SuppressWarnings("unchecked")
                    var budget = (java.util.Map<String, Object>) e.extensions().get("budget");
                    assertThat(budget).containsEntry("name", "alice/day").containsEntry("limit_tokens", "1000")
                            .containsEntry("spent_tokens", "400").containsEntry("reserved_tokens", "600")
                            .containsEntry("resets_at", "2026-12-08T00:00:00Z");
                });
        assertThat(as("bob", () -> s.reserve(FREE, 1_000_000, 1_000_000, "chat"))).as("a key with no budget is unlimited").isNotNull();
    }

    @Test
    void cost_isPricedPerMillionTokens_andACostBudgetHolds() throws Exception {
        Spend s = spend("alice month cost=0.01");
        // 2,000 in at $1/M + 1,000 out at $2/M = $0.004 reserved; settled 1,000 + 500 = $0.002
        Spend.Reservation r = as("alice", () -> s.reserve(CHEAP, 2_000, 1_000, "chat"));
        assertThat(r.cost).isEqualByComparingTo("0.004");
        Spend.Entry e = as("alice", () -> s.settle(r, Chat.Usage.of(1_000, 500), 10, 10));
        assertThat(e.costUsd()).isEqualByComparingTo("0.002");
        assertThat(e.usage()).isEqualTo("reported");
        as("alice", () -> s.reserve(CHEAP, 2_000, 1_000, "chat"));      // 0.002 + 0.004
        as("alice", () -> s.reserve(CHEAP, 2_000, 1_000, "chat"));      // + 0.004 = 0.010
        assertThatThrownBy(() -> as("alice", () -> s.reserve(CHEAP, 1, 0, "chat"))).hasMessageContaining("0.002 spent");
    }

    @Test
    void aModelBudget_countsOnlyThatModel() throws Exception {
        Spend s = spend("alice day tokens=100 model=openrouter/cheap");
        as("alice", () -> s.reserve(FREE, 1_000, 1_000, "chat"));
        assertThatThrownBy(() -> as("alice", () -> s.reserve(CHEAP, 60, 60, "chat"))).hasMessageContaining("openrouter/cheap");
    }

    @Test
    void anUnpricedModel_isRefusedToAKeyWithACostBudget_only() throws Exception {
        Spend s = spend("alice day cost=1", "bob day tokens=100");
        Chat.Target unpriced = new Chat.Target("kimi", "k2");
        assertThatThrownBy(() -> as("alice", () -> s.reserve(unpriced, 1, 1, "chat"))).hasMessageContaining("no price");
        assertThat(as("bob", () -> s.reserve(unpriced, 1, 1, "chat")).cost).isZero();
    }

    @Test
    void aThousandCallsRacingForTheLastTokens_neverSpendPastTheBudget() throws Exception {
        Spend s = spend("alice day tokens=100000");
        Spend.Reservation first = as("alice", () -> s.reserve(FREE, 50_000, 45_000, "chat"));
        as("alice", () -> s.settle(first, Chat.Usage.of(50_000, 45_000), 0, 0));   // 5,000 tokens left
        int callers = 1000;
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicLong settled = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            int n = i;
            threads.add(Thread.ofVirtual().start(() -> as("alice", () -> {
                try {
                    go.await();
                    Spend.Reservation r = s.reserve(FREE, 60, 40, "chat");   // 100 tokens each: 50 fit
                    admitted.incrementAndGet();
                    if (n % 7 == 0) {
                        s.release(r);   // a failed call gives its tokens back
                    } else {
                        s.settle(r, Chat.Usage.of(60, 40), 0, 0);
                        settled.addAndGet(100);
                    }
                } catch (ApiException e) {
                    assertThat(e.code()).isEqualTo("budget_exceeded");
                    refused.incrementAndGet();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            })));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("race: %d callers, %d admitted, %d refused, %d tokens settled of the 5,000 left%n",
                callers, admitted.get(), refused.get(), settled.get());
        assertThat(admitted.get() + refused.get()).isEqualTo(callers);
        assertThat(settled.get()).as("never past the budget").isLessThanOrEqualTo(5_000);
        assertThat(admitted.get()).as("the released tokens were admitted again").isGreaterThanOrEqualTo(50);
        var report = s.report("alice", Instant.EPOCH, clock.instant().plusSeconds(1), "model");
        assertThat(report.total().inputTokens() + report.total().outputTokens()).isEqualTo(95_000 + settled.get());
        assertThat(report.budgets().get(0).spentTokens()).isEqualTo(95_000 + settled.get());
        assertThat(report.budgets().get(0).reservedTokens()).isZero();
    }

    @Test
    void theLedgerReadAgain_givesTheSameSpend_exactly() throws Exception {
        Spend s = spend("alice day tokens=1000000", "alice month cost=10");
        for (int i = 0; i < 20; i++) {
            Spend.Reservation r = as("alice", () -> s.reserve(CHEAP, 1_000, 1_000, "chat"));
            int n = i;
            as("alice", () -> s.settle(r, Chat.Usage.of(100 + n, 7 * n), 0, 0));
        }
        var before = s.report("alice", Instant.EPOCH, clock.instant().plusSeconds(1), "day");
        s.close();
        open.remove(s);
        Spend again = spend("alice day tokens=1000000", "alice month cost=10");
        var after = again.report("alice", Instant.EPOCH, clock.instant().plusSeconds(1), "day");
        assertThat(after).isEqualTo(before);
        assertThat(after.budgets().get(0).spentTokens()).isEqualTo(20 * 100 + 190 + 7 * 190);
        assertThat(after.total().costUsd()).isEqualByComparingTo(new BigDecimal("0.00485"));   // (2,190 × $1 + 1,330 × $2) / 1M
        assertThat(Files.readAllLines(dir.resolve("ledger-2026-12.jsonl"))).hasSize(20);
    }

    @Test
    void aNewDay_startsTheSpendAgain_andTheLedgerOnlyCountsTheCurrentPeriod() throws Exception {
        Spend s = spend("alice day tokens=100");
        Spend.Reservation r = as("alice", () -> s.reserve(FREE, 50, 40, "chat"));
        as("alice", () -> s.settle(r, Chat.Usage.of(50, 40), 0, 0));
        assertThatThrownBy(() -> as("alice", () -> s.reserve(FREE, 10, 10, "chat"))).hasMessageContaining("90 spent");
        clock.set(Instant.parse("2026-12-08T00:00:00Z"));
        as("alice", () -> s.reserve(FREE, 50, 40, "chat"));
        s.close();
        open.remove(s);
        Spend again = spend("alice day tokens=100");
        assertThat(again.report("alice", Instant.EPOCH, clock.instant().plusSeconds(1), "model").budgets().get(0).spentTokens()).isZero();
    }

    @Test
    void theLedger_hasAFileAMonth_aReportReadsTheMonthsItsRangeCovers_andAStartOnlyThisMonths() throws Exception {
        clock.set(Instant.parse("2026-12-31T23:59:00Z"));
        Spend s = spend("alice month tokens=1000");
        Spend.Reservation dec = as("alice", () -> s.reserve(FREE, 300, 300, "chat"));
        as("alice", () -> s.settle(dec, Chat.Usage.of(300, 300), 0, 0));
        clock.set(Instant.parse("2027-01-01T00:01:00Z"));
        Spend.Reservation jan = as("alice", () -> s.reserve(FREE, 300, 300, "chat"));   // a new month: 600 of December do not count
        as("alice", () -> s.settle(jan, Chat.Usage.of(100, 50), 0, 0));
        assertThat(Files.readAllLines(dir.resolve("ledger-2026-12.jsonl"))).hasSize(1);
        assertThat(Files.readAllLines(dir.resolve("ledger-2027-01.jsonl"))).hasSize(1);
        var both = s.report("alice", Instant.parse("2026-12-01T00:00:00Z"), clock.instant().plusSeconds(1), "day");
        assertThat(both.groups()).extracting(Spend.Group::group).containsExactly("2026-12-31", "2027-01-01");
        assertThat(both.total().calls()).isEqualTo(2);
        assertThat(s.report("alice", Instant.parse("2027-01-01T00:00:00Z"), clock.instant().plusSeconds(1), "day").total().calls()).isEqualTo(1);
        s.close();
        open.remove(s);
        Spend again = spend("alice month tokens=1000");
        assertThat(again.report("alice", Instant.EPOCH, clock.instant().plusSeconds(1), "model").budgets().get(0).spentTokens()).isEqualTo(150);
        assertThat(again.report("alice", Instant.EPOCH, clock.instant().plusSeconds(1), "model").total().calls()).isEqualTo(2);
    }

    @Test
    void usageAProviderShouldNotReport_isChargedTheBoundOrCounted() throws Exception {
        Spend s = spend("alice day tokens=100000");
        Spend.Reservation absurd = as("alice", () -> s.reserve(FREE, 500, 100, "chat"));
        Spend.Entry capped = as("alice", () -> s.settle(absurd, Chat.Usage.of(Integer.MAX_VALUE, 5), 20, 400));
        assertThat(capped.usage()).isEqualTo("capped");
        assertThat(capped.inputTokens()).isEqualTo(500);
        Spend.Reservation negative = as("alice", () -> s.reserve(FREE, 500, 100, "chat"));
        Spend.Entry counted = as("alice", () -> s.settle(negative, new Chat.Usage(-5, -1, -6), 41, 400));
        assertThat(counted.usage()).isEqualTo("counted");
        assertThat(counted.inputTokens()).isEqualTo(100);   // 400 bytes / 4
        assertThat(counted.outputTokens()).isEqualTo(11);   // 41 bytes / 4, rounded up
        Spend.Reservation none = as("alice", () -> s.reserve(FREE, 500, 100, "chat"));
        assertThat(as("alice", () -> s.settle(none, null, 8, 8)).usage()).isEqualTo("counted");
    }

    @Test
    void theInputBound_isAtLeastTheBytes() {
        List<Chat.Message> m = List.of(new Chat.Message("user", "héllo"));
        assertThat(Spend.inputBound(m, Spend.promptBytes(m))).isEqualTo(8 + 4 + 4 + 6);
        assertThat(Spend.count(0)).isZero();
        assertThat(Spend.count(1)).isEqualTo(1);
        assertThat(Spend.count(8)).isEqualTo(2);
    }
}
