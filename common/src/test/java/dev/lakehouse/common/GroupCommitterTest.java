package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class GroupCommitterTest {
    @Test
    void concurrentSubmits_shareGroups_andEachGetsItsResult() throws Exception {
        List<Integer> groupSizes = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstGroupEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupCommitter<Integer, Integer> c = new GroupCommitter<>("t", 100, 50, items -> {
            groupSizes.add(items.size());
            firstGroupEntered.countDown();
            await(release);
            return items.stream().map(i -> i * 10).toList();
        }); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            results.add(pool.submit(() -> c.submit(0, Duration.ofSeconds(10))));
            firstGroupEntered.await();
            for (int i = 1; i <= 20; i++) {
                int n = i;
                results.add(pool.submit(() -> c.submit(n, Duration.ofSeconds(10))));
            }
            while (c.queued() < 20) {
                Thread.onSpinWait();
            }
            release.countDown();
            for (int i = 0; i <= 20; i++) {
                assertThat(results.get(i).get()).isEqualTo(i * 10);
            }
        }
        assertThat(groupSizes).containsExactly(1, 20);
    }

    @Test
    void failedGroup_failsEveryCallerWith503() {
        try (GroupCommitter<Integer, Integer> c = new GroupCommitter<>("t", 10, 10, items -> {
            throw new IOException("No space left on device");
        })) {
            assertThatThrownBy(() -> c.submit(1, Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(ApiException.Unavailable.class, e -> {
                        assertThat(e.code()).isEqualTo("storage_failed");
                        assertThat(e.detail()).contains("No space left");
                    });
        }
    }

    @Test
    void aGroupThatFailsForAnotherReason_isABug_notADependency() {
        try (GroupCommitter<Integer, Integer> c = new GroupCommitter<>("t", 10, 10, items -> {
            throw new IllegalArgumentException("The number of elements exceeds the specified limit.");
        })) {
            assertThatThrownBy(() -> c.submit(1, Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("t failed to apply a write")
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void fullQueue_isRejectedAtOnceAsBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupCommitter<Integer, Integer> c = new GroupCommitter<>("t", 1, 1, items -> {
            entered.countDown();
            await(release);
            return items;
        }); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            pool.submit(() -> c.submit(1, Duration.ofSeconds(10)));   // taken by the writer, blocks
            entered.await();
            pool.submit(() -> c.submit(2, Duration.ofSeconds(10)));   // fills the queue of one
            while (c.queued() != 1) {
                Thread.onSpinWait();
            }
            assertThatThrownBy(() -> c.submit(3, Duration.ofSeconds(1)))
                    .isInstanceOfSatisfying(ApiException.Unavailable.class, e -> assertThat(e.code()).isEqualTo("busy"));
            release.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
