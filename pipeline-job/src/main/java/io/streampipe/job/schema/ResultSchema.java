package io.streampipe.job.schema;

import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec.Aggregate;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of the result table, in the order of the result rows the job emits: windowed, the keyBy fields,
 * {@code window_start}, {@code window_end} and the aggregates; without a window, every declared field. Result rows
 * carry their change kind: {@code INSERT} means upsert, {@code DELETE} means remove the row with this primary key.
 */
public final class ResultSchema implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";

    /** Column types, with the PostgreSQL type each maps to. */
    public enum ColumnType {
        TEXT("text"), BIGINT("bigint"), DOUBLE("double precision"), BOOLEAN("boolean"), TIMESTAMPTZ("timestamptz");

        private final String sql;

        ColumnType(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }

        public static ColumnType of(FieldType type) {
            return switch (type) {
                case STRING -> TEXT;
                case LONG -> BIGINT;
                case DOUBLE -> DOUBLE;
                case BOOLEAN -> BOOLEAN;
                case TIMESTAMP -> TIMESTAMPTZ;
            };
        }

        /** How a value of this column travels in a row: timestamps as epoch millis. */
        public TypeInformation<?> rowType() {
            return switch (this) {
                case TEXT -> Types.STRING;
                case BIGINT, TIMESTAMPTZ -> Types.LONG;
                case DOUBLE -> Types.DOUBLE;
                case BOOLEAN -> Types.BOOLEAN;
            };
        }
    }

    public record Column(String name, ColumnType type, boolean notNull) implements Serializable {
    }

    private final List<Column> columns;
    private final List<String> primaryKey;
    private final String orderColumn;
    private final boolean windowed;

    private ResultSchema(List<Column> columns, List<String> primaryKey, String orderColumn, boolean windowed) {
        this.columns = List.copyOf(columns);
        this.primaryKey = List.copyOf(primaryKey);
        this.orderColumn = orderColumn;
        this.windowed = windowed;
    }

    public static ResultSchema of(StreamingPipelineSpec spec) {
        EventSchema events = EventSchema.of(spec);
        List<String> keyBy = spec.transform.keyBy;
        List<Column> columns = new ArrayList<>();
        boolean windowed = spec.transform.window != null;
        List<String> primaryKey = new ArrayList<>(keyBy);
        if (windowed) {
            primaryKey.add(WINDOW_START);
        }
        if (spec.sink.postgres != null && spec.sink.postgres.primaryKey != null && !spec.sink.postgres.primaryKey.isEmpty()) {
            primaryKey = spec.sink.postgres.primaryKey;
        }
        if (windowed) {
            for (int index : events.keyIndexes()) {
                FieldDef field = events.field(index);
                columns.add(new Column(field.name(), ColumnType.of(field.type()), true));
            }
            columns.add(new Column(WINDOW_START, ColumnType.TIMESTAMPTZ, true));
            columns.add(new Column(WINDOW_END, ColumnType.TIMESTAMPTZ, true));
            for (Aggregate aggregate : spec.transform.aggregates) {
                columns.add(new Column(aggregate.name,
                        aggregate.fn == AggregateFunction.COUNT ? ColumnType.BIGINT : ColumnType.DOUBLE, false));
            }
            return new ResultSchema(columns, primaryKey, null, true);
        }
        for (int i = 0; i < events.fieldCount(); i++) {
            FieldDef field = events.field(i);
            columns.add(new Column(field.name(), ColumnType.of(field.type()), events.isKey(i) || i == events.timeIndex()));
        }
        String order = spec.source.eventTime == null ? null : spec.source.eventTime.field;
        return new ResultSchema(columns, primaryKey, order, false);
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    /** Positions of the primary-key columns in the result row, in {@link #primaryKey()} order. */
    public int[] primaryKeyIndexes() {
        return primaryKey.stream().mapToInt(this::indexOf).toArray();
    }

    /**
     * The column that orders versions of a row (the event time, without a window): an older version never
     * overwrites a newer one. Null when arrival order decides.
     */
    public String orderColumn() {
        return orderColumn;
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalArgumentException("No result column " + column);
    }

    public boolean windowed() {
        return windowed;
    }

    public RowTypeInfo rowType() {
        return new RowTypeInfo(columns.stream().map(c -> c.type().rowType()).toArray(TypeInformation[]::new),
                columns.stream().map(Column::name).toArray(String[]::new));
    }
}
