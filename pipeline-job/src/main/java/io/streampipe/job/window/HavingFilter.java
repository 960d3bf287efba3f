package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.TransformSpec.Comparison;
import io.streampipe.api.v1alpha1.TransformSpec.Having;
import org.apache.flink.types.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** The spec's {@code having} conditions on a window's aggregates; all must hold. A null aggregate never passes. */
public final class HavingFilter implements Serializable {
    private static final long serialVersionUID = 1L;

    private record Condition(int aggregate, Comparison op, double value) implements Serializable {
    }

    private final List<Condition> conditions;

    public HavingFilter(List<Having> having, List<AggregateDef> aggregates) {
        List<Condition> resolved = new ArrayList<>();
        for (Having h : having == null ? List.<Having>of() : having) {
            int index = -1;
            for (int i = 0; i < aggregates.size(); i++) {
                if (aggregates.get(i).name().equals(h.field)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException("spec.transform.having: '" + h.field + "' is not an aggregate");
            }
            resolved.add(new Condition(index, h.op, h.value));
        }
        this.conditions = List.copyOf(resolved);
    }

    /** @param aggregates the aggregate values of one window, in spec order */
    public boolean test(Row aggregates) {
        for (Condition condition : conditions) {
            Object field = aggregates.getField(condition.aggregate());
            if (field == null) {
                return false;
            }
            double value = ((Number) field).doubleValue();
            boolean holds = switch (condition.op()) {
                case GT -> value > condition.value();
                case GTE -> value >= condition.value();
                case LT -> value < condition.value();
                case LTE -> value <= condition.value();
                case EQ -> value == condition.value();
                case NE -> value != condition.value();
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }
}
