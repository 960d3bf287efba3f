package io.streampipe.job.window;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.types.Row;

import java.util.List;

/**
 * count, sum, avg, min and max of a window, computed as events arrive. The result row has one value per aggregate
 * in spec order: count as Long, the others as Double, null when no event of the window had a value for the field;
 * then, always, the number of events the window holds (Long), the result table's guard column
 * ({@code ResultSchema.EVENTS}), whether or not the spec declares a count. It is {@link Accumulator#events}, which every
 * accumulator holds already: no state changes for it.
 */
public final class IncrementalAggregate implements AggregateFunction<Row, Accumulator, Row> {
    private static final long serialVersionUID = 1L;
    private final AggregateDef[] aggregates;

    public IncrementalAggregate(List<AggregateDef> aggregates) {
        this.aggregates = aggregates.toArray(AggregateDef[]::new);
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator(aggregates.length);
    }

    @Override
    public Accumulator add(Row event, Accumulator acc) {
        acc.events++;
        for (int i = 0; i < aggregates.length; i++) {
            AggregateDef aggregate = aggregates[i];
            if (aggregate.fieldIndex() < 0) {
                continue;
            }
            Object field = event.getField(aggregate.fieldIndex());
            if (field != null) {
                fold(acc, i, ((Number) field).doubleValue(), 1);
            }
        }
        return acc;
    }

    @Override
    public Row getResult(Accumulator acc) {
        Row result = new Row(aggregates.length + 1);
        for (int i = 0; i < aggregates.length; i++) {
            result.setField(i, switch (aggregates[i].fn()) {
                case COUNT -> acc.events;
                case AVG -> acc.counts[i] == 0 ? null : acc.values[i] / acc.counts[i];
                case SUM, MIN, MAX -> acc.counts[i] == 0 ? null : acc.values[i];
            });
        }
        result.setField(aggregates.length, acc.events);
        return result;
    }

    /** Session windows merge: combine two accumulators as if one had seen both windows' events. */
    @Override
    public Accumulator merge(Accumulator a, Accumulator b) {
        Accumulator merged = createAccumulator();
        mergeInto(merged, a);
        mergeInto(merged, b);
        return merged;
    }

    /** Folds everything {@code source} has seen into {@code target}, leaving {@code source} as it was. */
    public void mergeInto(Accumulator target, Accumulator source) {
        target.events += source.events;
        for (int i = 0; i < aggregates.length; i++) {
            if (source.counts[i] > 0) {
                fold(target, i, source.values[i], source.counts[i]);
            }
        }
    }

    /** Adds {@code count} values summarized by {@code value} (their sum, min or max) to aggregate {@code i}. */
    private void fold(Accumulator acc, int i, double value, long count) {
        boolean first = acc.counts[i] == 0;
        acc.values[i] = switch (aggregates[i].fn()) {
            case SUM, AVG -> acc.values[i] + value;
            case MIN -> first ? value : Math.min(acc.values[i], value);
            case MAX -> first ? value : Math.max(acc.values[i], value);
            case COUNT -> 0;
        };
        acc.counts[i] += count;
    }
}
