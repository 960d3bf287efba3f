package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.TransformSpec.Comparison;
import io.streampipe.api.v1alpha1.TransformSpec.Having;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HavingFilterTest {
    private static final List<AggregateDef> AGGREGATES = List.of(
            new AggregateDef("n", AggregateFunction.COUNT, -1), new AggregateDef("mean", AggregateFunction.AVG, 0));

    @ParameterizedTest(name = "mean {0} {1} with mean 45 -> {2}")
    @CsvSource({"GT,45,false", "GT,44.9,true", "GTE,45,true", "LT,45,false", "LTE,45,true", "EQ,45,true", "NE,45,false"})
    void comparesAnAggregate(Comparison op, double value, boolean passes) {
        HavingFilter filter = new HavingFilter(List.of(new Having("mean", op, value)), AGGREGATES);
        assertThat(filter.test(Row.of(3L, 45.0))).isEqualTo(passes);
    }

    @Test
    void allConditionsMustHoldAndNullNeverPasses() {
        HavingFilter filter = new HavingFilter(List.of(new Having("n", Comparison.GTE, 2), new Having("mean", Comparison.GT, 1)), AGGREGATES);
        assertThat(filter.test(Row.of(2L, 1.5))).isTrue();
        assertThat(filter.test(Row.of(1L, 1.5))).isFalse();
        assertThat(filter.test(Row.of(2L, null))).isFalse();
        assertThat(new HavingFilter(null, AGGREGATES).test(Row.of(0L, null))).isTrue();
    }

    @Test
    void refusesAnUnknownAggregate() {
        assertThatThrownBy(() -> new HavingFilter(List.of(new Having("nope", Comparison.GT, 1)), AGGREGATES))
                .hasMessageContaining("'nope' is not an aggregate");
    }
}
