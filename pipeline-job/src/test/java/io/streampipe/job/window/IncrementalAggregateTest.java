package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalAggregateTest {
    private final IncrementalAggregate aggregate = new IncrementalAggregate(List.of(
            new AggregateDef("n", AggregateFunction.COUNT, -1),
            new AggregateDef("total", AggregateFunction.SUM, 0),
            new AggregateDef("mean", AggregateFunction.AVG, 0),
            new AggregateDef("lo", AggregateFunction.MIN, 1),
            new AggregateDef("hi", AggregateFunction.MAX, 1)));

    private Accumulator fold(Object[]... events) {
        Accumulator acc = aggregate.createAccumulator();
        for (Object[] event : events) {
            acc = aggregate.add(Row.of(event), acc);
        }
        return acc;
    }

    @Test
    void computesEveryFunctionIncrementally() {
        Row result = aggregate.getResult(fold(new Object[]{2.0, 5L}, new Object[]{4.0, -3L}, new Object[]{null, 7L}));
        assertThat(result).isEqualTo(Row.of(3L, 6.0, 3.0, -3.0, 7.0, 3L));
    }

    @Test
    void nullWhenNoEventHadAValue() {
        Row result = aggregate.getResult(fold(new Object[]{null, null}));
        assertThat(result).isEqualTo(Row.of(1L, null, null, null, null, 1L));
    }

    @Test
    void mergingEqualsSeeingAllEvents() {
        Accumulator left = fold(new Object[]{2.0, 5L}, new Object[]{null, null});
        Accumulator right = fold(new Object[]{10.0, -1L});
        Accumulator empty = fold();
        Row merged = aggregate.getResult(aggregate.merge(aggregate.merge(left, empty), right));
        Row direct = aggregate.getResult(fold(new Object[]{2.0, 5L}, new Object[]{null, null}, new Object[]{10.0, -1L}));
        assertThat(merged).isEqualTo(direct).isEqualTo(Row.of(3L, 12.0, 6.0, -1.0, 5.0, 3L));
    }

    /** The table's guard column needs the event count even when the spec declares no count aggregate. */
    @Test
    void theEventCountFollowsTheAggregatesWithoutACountAggregate() {
        IncrementalAggregate sumOnly = new IncrementalAggregate(List.of(new AggregateDef("total", AggregateFunction.SUM, 0)));
        Accumulator acc = sumOnly.createAccumulator();
        for (Object[] event : new Object[][]{{2.0}, {null}, {4.0}}) {
            acc = sumOnly.add(Row.of(event), acc);
        }
        assertThat(sumOnly.getResult(acc)).isEqualTo(Row.of(6.0, 3L));
    }

    @Test
    void accumulatorIsAPojoOfPrimitiveArrays() {
        TypeInformation<Accumulator> type = TypeInformation.of(Accumulator.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        ExecutionConfig config = new ExecutionConfig();
        config.disableGenericTypes();
        assertThat(type.createSerializer(config.getSerializerConfig())).isNotNull();
    }
}
