package io.streampipe.job.it;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.types.Row;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only step wired through {@code JobWiring.eventsTap}: throws the first time it sees an event of the given user,
 * as a crashing task would, and lets everything through after the restart. The MiniCluster runs in the test JVM,
 * so the static flag survives the restart.
 */
public final class FailOnceOnUser implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean FAILED = new AtomicBoolean();
    private final String user;

    public FailOnceOnUser(String user) {
        this.user = user;
    }

    @Override
    public Row map(Row event) {
        if (user.equals(event.getField(0)) && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("Injected failure on an event of " + user);
        }
        return event;
    }
}
