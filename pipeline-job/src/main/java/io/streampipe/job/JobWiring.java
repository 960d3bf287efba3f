package io.streampipe.job;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.enrich.Dimension;
import io.streampipe.job.late.LateEvent;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.job.sink.DeadLetterWriter;
import io.streampipe.job.sink.LateEventWriter;
import io.streampipe.job.sink.PostgresSink;
import io.streampipe.job.sink.ResultRowWriter;
import io.streampipe.job.sink.SinkSettings;
import io.streampipe.job.source.KafkaSources;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The job's connections to the outside: the source of records, the three sinks, and a tap on the stream of parsed
 * events. {@link #production} wires Kafka and PostgreSQL from the spec; tests replace what they need.
 *
 * @param lateDataSink null when the spec drops late data
 * @param eventsTap    applied to the parsed events before keyBy (identity in production; tests inject failures)
 * @param dimensions   the tables of spec.transform.enrich, with their credentials
 */
public record JobWiring(Source<Either<Row, Reject>, ?, ?> source,
                        Sink<Row> resultSink,
                        Sink<Reject> deadLetterSink,
                        Sink<LateEvent> lateDataSink,
                        UnaryOperator<DataStream<Row>> eventsTap,
                        List<Dimension> dimensions) {

    public static JobWiring production(StreamingPipelineSpec spec, String sourceEpoch, DatabaseCredentials credentials) {
        var postgres = spec.sink.postgres;
        SinkSettings settings = SinkSettings.of(postgres);
        boolean lateTable = spec.lateData != null && spec.lateData.table != null;
        return new JobWiring(
                KafkaSources.of(spec.source, KafkaSources.startingOffsets(spec, sourceEpoch), EventSchema.parsed(spec)),
                new PostgresSink<>(postgres.jdbcUrl, credentials, new ResultRowWriter(postgres.table, ResultSchema.of(spec)), settings),
                new PostgresSink<>(postgres.jdbcUrl, credentials, new DeadLetterWriter(spec.deadLetter.table), settings),
                lateTable ? new PostgresSink<>(postgres.jdbcUrl, credentials, new LateEventWriter(spec.lateData.table), settings) : null,
                UnaryOperator.identity(),
                Dimension.all(spec, credentials));
    }

    public JobWiring withSource(Source<Either<Row, Reject>, ?, ?> replacement) {
        return new JobWiring(replacement, resultSink, deadLetterSink, lateDataSink, eventsTap, dimensions);
    }

    public JobWiring withEventsTap(UnaryOperator<DataStream<Row>> tap) {
        return new JobWiring(source, resultSink, deadLetterSink, lateDataSink, tap, dimensions);
    }

    public JobWiring withSinks(Sink<Row> results, Sink<Reject> deadLetters, Sink<LateEvent> lateData) {
        return new JobWiring(source, results, deadLetters, lateData, eventsTap, dimensions);
    }
}
