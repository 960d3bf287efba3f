package io.streampipe.job;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.TransformSpec.WindowType;
import io.streampipe.job.enrich.Enrichments;
import io.streampipe.job.late.LateEvent;
import io.streampipe.job.late.LateEvents;
import io.streampipe.job.latest.ResultRows;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.parse.SplitRejects;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.schema.KeyFields;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.source.EventTimeWatermarks;
import io.streampipe.job.source.EverySplitHoldsTheWatermark;
import io.streampipe.job.source.ParsingDeserializer;
import io.streampipe.job.window.Accumulator;
import io.streampipe.job.window.AggregateDef;
import io.streampipe.job.window.HavingFilter;
import io.streampipe.job.window.IncrementalAggregate;
import io.streampipe.job.window.SlicedWindowAggregate;
import io.streampipe.job.window.WindowAssigners;
import io.streampipe.job.window.WindowClock;
import io.streampipe.job.window.WindowLayout;
import io.streampipe.job.window.WindowResultFunction;
import io.streampipe.job.window.WindowRows;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.types.Row;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The dataflow of a pipeline:
 *
 * <pre>
 * Kafka source (parse + schema check, watermarks per partition)
 *   → split-rejects ──rejects──► dead-letter-sink
 *   → enrich-NAME, per dimension (chained: columns from an in-memory copy of a table) ──no row, dead-letter──► (same)
 *   → keyBy(keyBy fields), windows only
 *     → window-clock (chained: the watermark kept across restores, the window layout checked at restore)
 *       tumbling/sliding: window-slices    (aggregates per slice, having, late firings) ──too late──► late-events → late-data-sink
 *       session:          window-aggregate (Flink's merging window operator, same outputs)  ──too late──► (same)
 *       no window:        result-rows (stateless, chained: rows of a partition are written by the subtask reading it)
 *   → postgres-sink (upsert / delete), kafka-sink (record / tombstone), either or both
 * </pre>
 */
public final class PipelineTopology {
    private static final String REJECTS = "rejects";
    private static final String TOO_LATE = "too-late-events";

    private PipelineTopology() {
    }

    public static void build(StreamExecutionEnvironment env, StreamingPipelineSpec spec, String sourceEpoch, JobWiring wiring) {
        EventSchema parsed = EventSchema.parsed(spec);
        EventSchema schema = EventSchema.of(spec);
        OutputTag<Reject> rejects = new OutputTag<>(REJECTS, ParsingDeserializer.rejectType());
        String sourceUid = OperatorUids.kafkaSource(sourceEpoch);
        SingleOutputStreamOperator<Row> events = env
                .fromSource(EverySplitHoldsTheWatermark.of(wiring.source()), watermarks(spec, parsed), sourceUid,
                        ParsingDeserializer.typeOf(parsed))
                .uid(sourceUid)
                .process(new SplitRejects(rejects), parsed.eventType())
                .uid(OperatorUids.SPLIT_REJECTS).name(OperatorUids.SPLIT_REJECTS);
        Enrichments enriched = Enrichments.apply(spec, wiring.dimensions(), events, events.getSideOutput(rejects));
        String deadLetterUid = spec.deadLetter.topic != null ? OperatorUids.DEAD_LETTER_TOPIC_SINK : OperatorUids.DEAD_LETTER_SINK;
        enriched.rejects().sinkTo(wiring.deadLetterSink()).uid(deadLetterUid).name(deadLetterUid);

        DataStream<Row> tapped = wiring.eventsTap().apply(enriched.events());
        DataStream<Row> results = spec.transform.window == null
                ? resultRows(tapped, schema, ResultSchema.of(spec))
                : windowed(clocked(tapped, spec, schema), spec, schema, wiring);
        if (wiring.resultSink() != null) {
            results.sinkTo(wiring.resultSink()).uid(OperatorUids.POSTGRES_SINK).name(OperatorUids.POSTGRES_SINK);
        }
        if (wiring.resultTopicSink() != null) {
            results.sinkTo(wiring.resultTopicSink()).uid(OperatorUids.KAFKA_SINK).name(OperatorUids.KAFKA_SINK);
        }
    }

    static EventTimeWatermarks watermarks(StreamingPipelineSpec spec, EventSchema schema) {
        var eventTime = spec.source.eventTime;
        if (eventTime == null) {
            return new EventTimeWatermarks(-1, Duration.ZERO, null);
        }
        return new EventTimeWatermarks(schema.timeIndex(),
                Durations.parse("spec.source.eventTime.maxOutOfOrderness", eventTime.maxOutOfOrderness),
                eventTime.idleTimeout == null ? null : Durations.parse("spec.source.eventTime.idleTimeout", eventTime.idleTimeout));
    }

    /** No keyBy: the rows of a Kafka partition are written by the subtask that reads it (see {@link ResultRows}). */
    private static DataStream<Row> resultRows(DataStream<Row> events, EventSchema schema, ResultSchema result) {
        return events.map(new ResultRows(schema), result.rowType())
                .uid(OperatorUids.RESULT_ROWS).name(OperatorUids.RESULT_ROWS);
    }

    /**
     * The keyed events through {@link WindowClock}, chained in front of the window operator: the same keys in the
     * same task, so the stream stays keyed without a second shuffle.
     */
    private static KeyedStream<Row, Row> clocked(DataStream<Row> events, StreamingPipelineSpec spec, EventSchema schema) {
        DataStream<Row> clocked = events.keyBy(new KeyFields(schema), schema.keyType())
                .transform(OperatorUids.WINDOW_CLOCK, schema.eventType(), new WindowClock(WindowLayout.of(spec)))
                .uid(OperatorUids.WINDOW_CLOCK);
        return DataStreamUtils.reinterpretAsKeyedStream(clocked, new KeyFields(schema), schema.keyType());
    }

    private static DataStream<Row> windowed(KeyedStream<Row, Row> keyed, StreamingPipelineSpec spec, EventSchema schema,
                                            JobWiring wiring) {
        var window = spec.transform.window;
        List<AggregateDef> aggregates = AggregateDef.of(spec);
        OutputTag<Row> tooLate = new OutputTag<>(TOO_LATE, schema.eventType());
        IncrementalAggregate aggregate = new IncrementalAggregate(aggregates);
        HavingFilter having = new HavingFilter(spec.transform.having, aggregates);
        int keyArity = spec.transform.keyBy.size();
        RowTypeInfo resultType = ResultSchema.of(spec).rowType();
        SingleOutputStreamOperator<Row> results;
        if (window.type == WindowType.SESSION) {
            results = keyed
                    .window(WindowAssigners.of(window))
                    .allowedLateness(WindowAssigners.allowedLateness(window))
                    .sideOutputLateData(tooLate)
                    .aggregate(aggregate, new WindowResultFunction(keyArity, aggregates.size(), true, having),
                            TypeInformation.of(Accumulator.class), aggregateType(aggregates), resultType)
                    .uid(OperatorUids.WINDOW_AGGREGATE).name(OperatorUids.WINDOW_AGGREGATE);
        } else {
            results = keyed
                    .process(new SlicedWindowAggregate(WindowAssigners.slices(window), aggregate,
                            new WindowRows(keyArity, aggregates.size(), having), tooLate), resultType)
                    .uid(OperatorUids.WINDOW_SLICES).name(OperatorUids.WINDOW_SLICES);
        }

        SingleOutputStreamOperator<LateEvent> late = results.getSideOutput(tooLate)
                .process(new LateEvents(schema), TypeInformation.of(LateEvent.class))
                .uid(OperatorUids.LATE_EVENTS).name(OperatorUids.LATE_EVENTS);
        if (wiring.lateDataSink() != null) {
            String lateDataUid = spec.lateData.topic != null ? OperatorUids.LATE_DATA_TOPIC_SINK : OperatorUids.LATE_DATA_SINK;
            late.sinkTo(wiring.lateDataSink()).uid(lateDataUid).name(lateDataUid);
        } else {
            late.sinkTo(new DiscardingSink<>()).uid(OperatorUids.LATE_DATA_DISCARD).name(OperatorUids.LATE_DATA_DISCARD);
        }
        return results;
    }

    /** count → Long, the others → Double, in spec order; then the window's event count (Long). */
    static RowTypeInfo aggregateType(List<AggregateDef> aggregates) {
        List<TypeInformation<?>> types = new ArrayList<>();
        aggregates.forEach(a -> types.add(a.fn() == AggregateFunction.COUNT ? Types.LONG : Types.DOUBLE));
        types.add(Types.LONG);
        return new RowTypeInfo(types.toArray(TypeInformation[]::new));
    }
}
