package io.streampipe.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Conditions in the Kubernetes API conventions' shape, keyed by type. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    /** Kubernetes caps a condition message at 32768 characters; ours stay far below. */
    static final int MAX_MESSAGE = 1024;

    private Conditions() {
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(condition -> type.equals(condition.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(condition -> "True".equals(condition.getStatus())).orElse(false);
    }

    /**
     * A condition; lastTransitionTime is the previous one's when the status did not change, so that an unchanged
     * pipeline gets an unchanged status.
     */
    public static Condition of(String type, boolean status, String reason, String message, Long observedGeneration,
                               List<Condition> previous, Instant now) {
        String statusValue = status ? "True" : "False";
        String lastTransition = find(previous, type)
                .filter(old -> statusValue.equals(old.getStatus()) && old.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        return new ConditionBuilder()
                .withType(type)
                .withStatus(statusValue)
                .withReason(reason)
                .withMessage(truncate(message))
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(lastTransition)
                .build();
    }

    static String truncate(String message) {
        return message == null || message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
