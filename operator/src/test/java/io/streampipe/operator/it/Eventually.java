package io.streampipe.operator.it;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Polls an assertion until it holds (or the timeout passes, then fails with its last error). */
final class Eventually {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Eventually() {
    }

    static void until(Runnable assertion) {
        until(TIMEOUT, assertion);
    }

    static void until(Duration timeout, Runnable assertion) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError | RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            sleep(Duration.ofMillis(200));
        }
    }

    static <T> T get(Supplier<T> value) {
        Object[] result = new Object[1];
        until(() -> {
            result[0] = value.get();
            if (result[0] == null) {
                throw new AssertionError("not there yet");
            }
        });
        @SuppressWarnings("unchecked")
        T typed = (T) result[0];
        return typed;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
