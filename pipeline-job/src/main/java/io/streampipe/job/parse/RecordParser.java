package io.streampipe.job.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.schema.FieldDef;
import org.apache.flink.types.Row;

import java.io.IOException;
import java.io.Serializable;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Parses one JSON record against the declared schema into an event {@link Row}, or rejects it with a reason that
 * names the field. Streaming parse (no tree, no reflection); patterns and value sets are compiled once per instance.
 *
 * <p>Besides the declared rules, it rejects what the sink could never store, so bad data can't stall the job:
 * a missing key or event-time field (the key is the table's primary key), text with a NUL character (PostgreSQL
 * text can't hold one) and timestamps outside years 1–9999.
 */
public final class RecordParser implements Serializable {
    private static final long serialVersionUID = 1L;
    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, the range every sink column type holds. */
    static final long MIN_EPOCH_MILLIS = -62_135_596_800_000L;
    static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;
    private static final int MAX_QUOTED_VALUE = 80;
    private static final int UNDECLARED = -1;
    private static final int END = -2;

    private final EventSchema schema;
    private transient JsonFactory json;
    private transient Map<String, Integer> indexByName;
    /** Declared names in schema order: producers mostly write fields in that order, and a matching name is a byte comparison. */
    private transient SerializableString[] names;
    private transient FieldPattern[] patterns;
    /** The declared allowed values per field, as strings and as characters; null where none are declared. */
    private transient String[][] allowedValues;
    private transient char[][][] allowedChars;
    private transient boolean[] mustBePresent;

    public RecordParser(EventSchema schema) {
        this.schema = schema;
    }

    /**
     * @return the event, with the declared fields set and the topic/partition/offset positions left for the caller
     * @throws RecordRejectedException with the reason, naming the field
     */
    public Row parse(byte[] payload) throws RecordRejectedException {
        if (json == null) {
            prepare();
        }
        if (payload == null || payload.length == 0) {
            throw new RecordRejectedException("empty record: no JSON value");
        }
        Row event = new Row(schema.fieldCount() + 3);
        boolean[] seen = new boolean[schema.fieldCount()];
        try (JsonParser parser = json.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new RecordRejectedException("not a JSON object");
            }
            int expected = 0;
            while (true) {
                int index = expected < names.length && parser.nextFieldName(names[expected]) ? expected : lookUp(parser, expected);
                if (index == END) {
                    break;
                }
                JsonToken value = parser.nextToken();
                if (index == UNDECLARED) {
                    parser.skipChildren();
                    continue;
                }
                if (seen[index]) {
                    throw new RecordRejectedException("field '" + schema.field(index).name() + "': appears more than once");
                }
                seen[index] = true;
                event.setField(index, value == JsonToken.VALUE_NULL ? null : read(parser, value, index));
                expected = index + 1;
            }
            if (parser.nextToken() != null) {
                throw new RecordRejectedException("malformed JSON: content after the end of the object");
            }
        } catch (JsonParseException e) {
            throw new RecordRejectedException("malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new RecordRejectedException("malformed JSON: " + e.getMessage());
        }
        for (int i = 0; i < seen.length; i++) {
            if (event.getField(i) == null && mustBePresent[i]) {
                throw new RecordRejectedException("field '" + schema.field(i).name() + "': required but "
                        + (seen[i] ? "null" : "missing") + (schema.field(i).required() ? "" : " (it is a key or the event-time field)"));
            }
        }
        return event;
    }

    /**
     * The declared field the parser is at when it was not the expected one: its index, {@link #UNDECLARED}, or
     * {@link #END} at the end of the object. {@code nextFieldName} has already moved to that token unless no field
     * was expected.
     */
    private int lookUp(JsonParser parser, int expected) throws IOException {
        JsonToken token = expected < names.length ? parser.currentToken() : parser.nextToken();
        if (token == JsonToken.END_OBJECT) {
            return END;
        }
        Integer index = indexByName.get(parser.currentName());
        return index == null ? UNDECLARED : index;
    }

    private Object read(JsonParser parser, JsonToken token, int index) throws IOException, RecordRejectedException {
        FieldDef field = schema.field(index);
        return switch (field.type()) {
            case STRING -> {
                if (token != JsonToken.VALUE_STRING) {
                    yield wrongType(parser, field, "a string");
                }
                yield checkString(field, index, allowedValues[index] == null ? parser.getText() : allowedValue(parser, field, index));
            }
            case BOOLEAN -> switch (token) {
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                default -> wrongType(parser, field, "true or false");
            };
            case LONG -> {
                if (token != JsonToken.VALUE_NUMBER_INT) {
                    yield wrongType(parser, field, "an integer");
                }
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new RecordRejectedException("field '" + field.name() + "': " + quote(parser.getText()) + " is out of the range of a 64-bit integer");
                }
                yield checkRange(field, parser.getLongValue());
            }
            case DOUBLE -> {
                if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                    yield wrongType(parser, field, "a number");
                }
                double value = parser.getDoubleValue();
                if (Double.isInfinite(value)) {
                    throw new RecordRejectedException("field '" + field.name() + "': " + quote(parser.getText()) + " is out of the range of a double");
                }
                yield checkRange(field, value);
            }
            case TIMESTAMP -> {
                long millis;
                if (token == JsonToken.VALUE_STRING) {
                    millis = parseInstant(field, parser.getText());
                } else if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    millis = parser.getLongValue();
                } else {
                    yield wrongType(parser, field, "an ISO-8601 timestamp with offset or epoch milliseconds");
                }
                if (millis < MIN_EPOCH_MILLIS || millis > MAX_EPOCH_MILLIS) {
                    throw new RecordRejectedException("field '" + field.name() + "': " + quote(parser.getText()) + " is outside years 1 to 9999");
                }
                yield millis;
            }
        };
    }

    private static long parseInstant(FieldDef field, String text) throws RecordRejectedException {
        try {
            return IsoInstants.toEpochMillis(text);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new RecordRejectedException("field '" + field.name() + "': expected an ISO-8601 timestamp with offset"
                    + " (e.g. 2026-11-20T10:15:30Z) or epoch milliseconds, got " + quote(text));
        }
    }

    /**
     * The allowed value the parser is at, as the declared {@code String}: compared on the parser's characters, so the
     * common case allocates and hashes nothing.
     */
    private String allowedValue(JsonParser parser, FieldDef field, int index) throws IOException, RecordRejectedException {
        char[] text = parser.getTextCharacters();
        int offset = parser.getTextOffset();
        int length = parser.getTextLength();
        char[][] candidates = allowedChars[index];
        for (int i = 0; i < candidates.length; i++) {
            if (Arrays.equals(candidates[i], 0, candidates[i].length, text, offset, offset + length)) {
                return allowedValues[index][i];
            }
        }
        throw new RecordRejectedException("field '" + field.name() + "': " + quote(parser.getText()) + " is not one of " + field.allowedValues());
    }

    private String checkString(FieldDef field, int index, String text) throws RecordRejectedException {
        if (text.indexOf('\u0000') >= 0) {
            throw new RecordRejectedException("field '" + field.name() + "': contains a NUL character, which PostgreSQL text cannot store");
        }
        if (patterns[index] != null && !patterns[index].matches(text)) {
            throw new RecordRejectedException("field '" + field.name() + "': " + quote(text) + " does not match pattern " + field.pattern());
        }
        return text;
    }

    private static <T extends Number> T checkRange(FieldDef field, T value) throws RecordRejectedException {
        double number = value.doubleValue();
        if (field.min() != null && number < field.min()) {
            throw new RecordRejectedException("field '" + field.name() + "': " + value + " is below min " + field.min());
        }
        if (field.max() != null && number > field.max()) {
            throw new RecordRejectedException("field '" + field.name() + "': " + value + " is above max " + field.max());
        }
        return value;
    }

    private static <T> T wrongType(JsonParser parser, FieldDef field, String expected) throws IOException, RecordRejectedException {
        JsonToken token = parser.currentToken();
        String got = switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + quote(parser.getText());
            default -> parser.getText();
        };
        throw new RecordRejectedException("field '" + field.name() + "': expected " + expected + ", got " + got);
    }

    static String quote(String value) {
        String shown = value.length() > MAX_QUOTED_VALUE ? value.substring(0, MAX_QUOTED_VALUE) + "…" : value;
        return "'" + shown.replace('\u0000', '\uFFFD') + "'";
    }

    private void prepare() {
        JsonFactory factory = JsonFactory.builder()
                // FastDoubleParser: the same correctly rounded doubles as Double.parseDouble, several times faster.
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .recyclerPool(new OneBufferRecycler())
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                .build();
        indexByName = new HashMap<>(schema.indexByName());
        int count = schema.fieldCount();
        names = new SerializableString[count];
        for (int i = 0; i < count; i++) {
            names[i] = new SerializedString(schema.field(i).name());
        }
        patterns = new FieldPattern[count];
        allowedValues = new String[count][];
        allowedChars = new char[count][][];
        mustBePresent = new boolean[count];
        for (int i = 0; i < count; i++) {
            FieldDef field = schema.field(i);
            patterns[i] = field.pattern() == null ? null : FieldPattern.compile(field.pattern());
            if (field.allowedValues() != null) {
                allowedValues[i] = field.allowedValues().toArray(String[]::new);
                allowedChars[i] = field.allowedValues().stream().map(String::toCharArray).toArray(char[][]::new);
            }
            mustBePresent[i] = field.required() || schema.isKey(i) || i == schema.timeIndex();
        }
        json = factory;
    }

    /**
     * Jackson's buffers for the next parser: the one a closed parser gave back. A parser instance runs on its
     * subtask's thread, so there is nearly always one; Jackson's default pool looked it up in a thread-local for every
     * record, a measurable share of the parse (e2e/bench). Safe from several threads all the same.
     */
    private static final class OneBufferRecycler implements RecyclerPool<BufferRecycler> {
        private static final long serialVersionUID = 1L;
        private final AtomicReference<BufferRecycler> kept = new AtomicReference<>();

        @Override
        public BufferRecycler acquirePooled() {
            BufferRecycler recycler = kept.getAndSet(null);
            return recycler != null ? recycler : new BufferRecycler();
        }

        @Override
        public void releasePooled(BufferRecycler recycler) {
            kept.set(recycler);
        }
    }
}
