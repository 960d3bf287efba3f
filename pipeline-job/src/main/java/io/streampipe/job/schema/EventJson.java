package io.streampipe.job.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.types.Row;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/** Fields of an event as a JSON object, timestamps as ISO instants: how late and dead-lettered events are described. */
public final class EventJson {
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {
    }

    /** The given positions of {@code event}, named and typed by {@code schema}. */
    public static String write(EventSchema schema, Row event, int[] fields) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            for (int index : fields) {
                FieldDef field = schema.field(index);
                Object value = event.getField(index);
                out.writeFieldName(field.name());
                if (value == null) {
                    out.writeNull();
                } else {
                    switch (field.type()) {
                        case STRING -> out.writeString((String) value);
                        case LONG -> out.writeNumber((Long) value);
                        case DOUBLE -> out.writeNumber((Double) value);
                        case BOOLEAN -> out.writeBoolean((Boolean) value);
                        case TIMESTAMP -> out.writeString(Instant.ofEpochMilli((Long) value).toString());
                    }
                }
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
