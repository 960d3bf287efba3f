package io.streampipe.standin.flink;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Polling for the tests: the condition is asserted at the end, so a timeout shows what was last seen. */
public final class Await {
    private Await() {
    }

    /** Polls {@code actual} until it equals {@code expected}, then asserts it. */
    public static <T> void equal(Duration timeout, Supplier<T> actual, T expected) {
        until(timeout, actual, expected::equals);
        assertThat(actual.get()).isEqualTo(expected);
    }

    /** Polls {@code actual} until {@code condition} holds and returns that value; fails with the last value. */
    public static <T> T until(Duration timeout, Supplier<T> actual, Predicate<T> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T current = actual.get();
        while (!condition.test(current) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            current = actual.get();
        }
        assertThat(current).as("last value after %s s", timeout.toSeconds()).matches(condition);
        return current;
    }
}
