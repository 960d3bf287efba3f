package io.streampipe.operator.plan;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a restart of the job could outlast the transactions of an exactly-once Kafka sink. The broker aborts a
 * transaction open longer than {@code spec.sink.kafka.transactionTimeout}; a job that is down that long when a
 * checkpoint has completed but its transaction is not committed yet loses that checkpoint's results. The operator
 * cannot know the downtime ahead, so it compares what it knows: the last upgrade's measured downtime (a warning from
 * half the timeout on), and {@code spec.upgrade.timeout}, how long it lets an upgrade run before it gives up on it (a
 * warning when it is longer; both default to 10m).
 */
public final class TransactionTimeoutRisk {
    /** Plans that stop the job and start it again from its state. */
    private static final Set<String> RESTARTS = Set.of("SavepointUpgrade", "LastStateUpgrade", "RedeployFromSavepoint", "Rollback");

    private TransactionTimeoutRisk() {
    }

    /** The warning for the plan of a restart, or empty. */
    public static Optional<String> of(StreamingPipelineSpec spec, StreamingPipelineStatus status, String action) {
        KafkaSinkSpec kafka = spec.sink == null ? null : spec.sink.kafka;
        if (kafka == null || kafka.delivery == KafkaSinkSpec.Delivery.AT_LEAST_ONCE || !RESTARTS.contains(action)) {
            return Optional.empty();
        }
        String timeoutText = kafka.transactionTimeout == null ? KafkaSinkSpec.DEFAULT_TRANSACTION_TIMEOUT : kafka.transactionTimeout;
        Duration timeout = Durations.parse("spec.sink.kafka.transactionTimeout", timeoutText);
        String risk = "; a job down longer than that after a checkpoint completed loses the results the Kafka sink had not"
                + " committed yet (the broker aborts the transaction)";
        if (status.lastUpgradeDowntime != null) {
            Duration downtime = Durations.parse("status.lastUpgradeDowntime", status.lastUpgradeDowntime);
            if (downtime.multipliedBy(2).compareTo(timeout) >= 0) {
                return Optional.of("The last upgrade was down " + status.lastUpgradeDowntime
                        + ", more than half of spec.sink.kafka.transactionTimeout (" + timeoutText + ")" + risk);
            }
        }
        String upgradeTimeout = spec.upgrade == null ? null : spec.upgrade.timeout;
        if (upgradeTimeout != null && Durations.parse("spec.upgrade.timeout", upgradeTimeout).compareTo(timeout) > 0) {
            return Optional.of("spec.upgrade.timeout (" + upgradeTimeout + ") lets an upgrade be down longer than"
                    + " spec.sink.kafka.transactionTimeout (" + timeoutText + ")" + risk);
        }
        return Optional.empty();
    }
}
