package io.streampipe.job.enrich;

import io.streampipe.api.v1alpha1.EnrichSpec.OnMissing;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.OperatorUids;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.source.ParsingDeserializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;
import org.apache.flink.types.Row;

import java.util.List;

/**
 * The dimensions of spec.transform.enrich, one {@link DimensionJoin} after another, chained to the source (no
 * shuffle): each receives the events the previous one produced and adds its columns.
 *
 * @param events  the enriched events, typed by {@link EventSchema#of}
 * @param rejects the parse rejects with the events the dead-letter dimensions sent away
 */
public record Enrichments(DataStream<Row> events, DataStream<Reject> rejects) {

    public static Enrichments apply(StreamingPipelineSpec spec, List<Dimension> dimensions, DataStream<Row> parsed,
                                    DataStream<Reject> rejects) {
        DataStream<Row> events = parsed;
        DataStream<Reject> allRejects = rejects;
        for (Dimension dimension : dimensions) {
            OutputTag<Reject> missing = new OutputTag<>("enrich-missing-" + dimension.name(), ParsingDeserializer.rejectType());
            String uid = OperatorUids.enrich(dimension.name());
            SingleOutputStreamOperator<Row> joined = events
                    .process(new DimensionJoin(dimension, EventSchema.enrichedBy(spec, dimension.index()), missing),
                            EventSchema.enrichedBy(spec, dimension.index() + 1).eventType())
                    .uid(uid).name(uid);
            if (dimension.onMissing() == OnMissing.DEAD_LETTER) {
                allRejects = allRejects.union(joined.getSideOutput(missing));
            }
            events = joined;
        }
        return new Enrichments(events, allRejects);
    }
}
