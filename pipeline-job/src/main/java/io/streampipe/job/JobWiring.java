package io.streampipe.job;

import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.enrich.Dimension;
import io.streampipe.job.late.LateEvent;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.CheckpointedPostgresSink;
import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.job.sink.DeadLetterWriter;
import io.streampipe.job.sink.LateEventWriter;
import io.streampipe.job.sink.PostgresSink;
import io.streampipe.job.sink.ResultRowWriter;
import io.streampipe.job.sink.SinkSettings;
import io.streampipe.job.sink.kafka.KafkaSinks;
import io.streampipe.job.sink.kafka.KafkaSinks.Output;
import io.streampipe.job.sink.kafka.LateEventRecords;
import io.streampipe.job.sink.kafka.RejectRecords;
import io.streampipe.job.sink.kafka.ResultRecords;
import io.streampipe.job.source.KafkaSources;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The job's connections to the outside: the source of records, the sinks, and a tap on the stream of parsed
 * events. {@link #production} wires Kafka and PostgreSQL from the spec; tests replace what they need.
 *
 * @param resultSink      the result table; null without {@code sink.postgres}
 * @param resultTopicSink the result topic; null without {@code sink.kafka}
 * @param deadLetterSink  the dead-letter table or topic
 * @param lateDataSink    the late-data table or topic; null when the spec drops late data
 * @param eventsTap    applied to the parsed events before keyBy (identity in production; tests inject failures)
 * @param dimensions   the tables of spec.transform.enrich, with their credentials
 */
public record JobWiring(Source<Either<Row, Reject>, ?, ?> source,
                        Sink<Row> resultSink,
                        Sink<Row> resultTopicSink,
                        Sink<Reject> deadLetterSink,
                        Sink<LateEvent> lateDataSink,
                        UnaryOperator<DataStream<Row>> eventsTap,
                        List<Dimension> dimensions) {

    /**
     * The result table of a windowed pipeline and the late-data table carry what a window decided, and are written
     * with the checkpoint ({@link CheckpointedPostgresSink}); the result table without a window and the dead-letter
     * table are written at once ({@link PostgresSink}).
     */
    public static JobWiring production(StreamingPipelineSpec spec, String sourceEpoch, DatabaseCredentials credentials,
                                       String pipeline) {
        var postgres = spec.sink.postgres;
        KafkaSinkSpec kafka = spec.sink.kafka;
        SinkSettings settings = postgres == null ? null : SinkSettings.of(postgres);
        Sink<Reject> deadLetters = spec.deadLetter.topic != null
                ? KafkaSinks.of(kafka, pipeline, Output.DEAD_LETTER, new RejectRecords(spec.deadLetter.topic))
                : new PostgresSink<>(postgres.jdbcUrl, credentials, new DeadLetterWriter(spec.deadLetter.table), settings);
        Sink<LateEvent> lateData = null;
        if (spec.lateData != null && spec.lateData.table != null) {
            lateData = new CheckpointedPostgresSink<>(postgres.jdbcUrl, credentials, new LateEventWriter(spec.lateData.table), settings);
        } else if (spec.lateData != null && spec.lateData.topic != null) {
            lateData = KafkaSinks.of(kafka, pipeline, Output.LATE_DATA, new LateEventRecords(spec.lateData.topic));
        }
        Sink<Row> results = null;
        if (postgres != null) {
            ResultRowWriter rows = new ResultRowWriter(postgres.table, ResultSchema.of(spec));
            results = spec.transform.window != null
                    ? new CheckpointedPostgresSink<>(postgres.jdbcUrl, credentials, rows, settings)
                    : new PostgresSink<>(postgres.jdbcUrl, credentials, rows, settings);
        }
        return new JobWiring(
                KafkaSources.of(spec.source, KafkaSources.startingOffsets(spec, sourceEpoch), EventSchema.parsed(spec)),
                results,
                kafka == null ? null : KafkaSinks.of(kafka, pipeline, Output.RESULTS, new ResultRecords(kafka.topic, ResultSchema.of(spec))),
                deadLetters,
                lateData,
                UnaryOperator.identity(),
                Dimension.all(spec, credentials));
    }

    public JobWiring withSource(Source<Either<Row, Reject>, ?, ?> replacement) {
        return new JobWiring(replacement, resultSink, resultTopicSink, deadLetterSink, lateDataSink, eventsTap, dimensions);
    }

    public JobWiring withEventsTap(UnaryOperator<DataStream<Row>> tap) {
        return new JobWiring(source, resultSink, resultTopicSink, deadLetterSink, lateDataSink, tap, dimensions);
    }

    public JobWiring withSinks(Sink<Row> results, Sink<Reject> deadLetters, Sink<LateEvent> lateData) {
        return new JobWiring(source, results, resultTopicSink, deadLetters, lateData, eventsTap, dimensions);
    }

    public JobWiring withResultTopicSink(Sink<Row> results) {
        return new JobWiring(source, resultSink, results, deadLetterSink, lateDataSink, eventsTap, dimensions);
    }
}
