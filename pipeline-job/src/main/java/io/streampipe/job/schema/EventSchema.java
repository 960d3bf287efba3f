package io.streampipe.job.schema;

import io.streampipe.api.EventFields;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.types.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The shape of an accepted event as it travels through the job: a {@link Row} with one position per declared field
 * (in schema order) followed by where it came from (topic, partition, offset), so late events can be traced back.
 * Timestamps travel as epoch milliseconds ({@code Long}).
 */
public final class EventSchema implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Names of the trailing metadata positions; {@code $} keeps them apart from any declared field name. */
    public static final String TOPIC = "$topic";
    public static final String PARTITION = "$partition";
    public static final String OFFSET = "$offset";

    private final List<FieldDef> fields;
    private final int[] keyIndexes;
    private final int timeIndex;

    private EventSchema(List<FieldDef> fields, int[] keyIndexes, int timeIndex) {
        this.fields = fields;
        this.keyIndexes = keyIndexes;
        this.timeIndex = timeIndex;
    }

    /** Events as keyBy, the windows and the sink see them: the schema's fields, then the dimensions' columns. */
    public static EventSchema of(StreamingPipelineSpec spec) {
        return enrichedBy(spec, EventFields.dimensions(spec).size());
    }

    /**
     * Events as parsed from a record, before enrichment: the schema's fields only (a record cannot set a dimension's
     * column). Its key positions are those of the keyBy fields the schema declares.
     */
    public static EventSchema parsed(StreamingPipelineSpec spec) {
        return enrichedBy(spec, 0);
    }

    /** Events after the first {@code dimensions} of spec.transform.enrich joined them. */
    public static EventSchema enrichedBy(StreamingPipelineSpec spec, int dimensions) {
        List<SchemaField> fields = new ArrayList<>(spec.source.schema);
        EventFields.dimensions(spec).stream().limit(dimensions).flatMap(d -> d.columns.stream())
                .forEach(c -> fields.add(new SchemaField(c.name, c.type, false)));
        return of(spec, fields);
    }

    private static EventSchema of(StreamingPipelineSpec spec, List<SchemaField> declared) {
        List<FieldDef> fields = declared.stream().map(FieldDef::of).toList();
        Map<String, Integer> index = indexByName(fields);
        int[] keys = spec.transform.keyBy.stream().filter(index::containsKey).mapToInt(index::get).toArray();
        int time = spec.source.eventTime == null ? -1 : index.get(spec.source.eventTime.field);
        return new EventSchema(fields, keys, time);
    }

    public List<FieldDef> fields() {
        return fields;
    }

    public int fieldCount() {
        return fields.size();
    }

    public FieldDef field(int index) {
        return fields.get(index);
    }

    public int topicIndex() {
        return fields.size();
    }

    public int partitionIndex() {
        return fields.size() + 1;
    }

    public int offsetIndex() {
        return fields.size() + 2;
    }

    /** Positions of the keyBy fields, in keyBy order. */
    public int[] keyIndexes() {
        return keyIndexes.clone();
    }

    public boolean isKey(int index) {
        for (int key : keyIndexes) {
            if (key == index) {
                return true;
            }
        }
        return false;
    }

    /** Position of the event-time field, or -1 when the spec declares none. */
    public int timeIndex() {
        return timeIndex;
    }

    public Map<String, Integer> indexByName() {
        return indexByName(fields);
    }

    /** Type of the event rows: the declared fields, then topic, partition and offset. */
    public RowTypeInfo eventType() {
        List<TypeInformation<?>> types = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (FieldDef field : fields) {
            types.add(typeOf(field.type()));
            names.add(field.name());
        }
        types.addAll(List.of(Types.STRING, Types.INT, Types.LONG));
        names.addAll(List.of(TOPIC, PARTITION, OFFSET));
        return new RowTypeInfo(types.toArray(TypeInformation[]::new), names.toArray(String[]::new));
    }

    /** Type of the key rows {@link KeyFields} extracts. */
    public RowTypeInfo keyType() {
        TypeInformation<?>[] types = new TypeInformation<?>[keyIndexes.length];
        String[] names = new String[keyIndexes.length];
        for (int i = 0; i < keyIndexes.length; i++) {
            types[i] = typeOf(fields.get(keyIndexes[i]).type());
            names[i] = fields.get(keyIndexes[i]).name();
        }
        return new RowTypeInfo(types, names);
    }

    /** The Java representation of a field type inside the job. */
    public static TypeInformation<?> typeOf(FieldType type) {
        return switch (type) {
            case STRING -> Types.STRING;
            case LONG, TIMESTAMP -> Types.LONG;
            case DOUBLE -> Types.DOUBLE;
            case BOOLEAN -> Types.BOOLEAN;
        };
    }

    private static Map<String, Integer> indexByName(List<FieldDef> fields) {
        return fields.stream().collect(Collectors.toMap(FieldDef::name, fields::indexOf, (a, b) -> a));
    }

    /** Copies the key fields of an event into a new row. */
    public Row keyOf(Row event) {
        Row key = new Row(keyIndexes.length);
        for (int i = 0; i < keyIndexes.length; i++) {
            key.setField(i, event.getField(keyIndexes[i]));
        }
        return key;
    }
}
