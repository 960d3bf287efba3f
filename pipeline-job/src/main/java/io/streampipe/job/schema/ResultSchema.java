package io.streampipe.job.schema;

import io.streampipe.api.SpecValidator;
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
 * {@code window_start}, {@code window_end}, the aggregates and {@link #EVENTS}; without a window, every declared
 * field. Result rows carry their change kind: {@code INSERT} means upsert, {@code DELETE} means remove the row with
 * this primary key.
 */
public final class ResultSchema implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    /**
     * The windowed result's guard column: how many events the row's aggregates were computed from. A change computed
     * from fewer events never replaces or removes a row computed from more ({@link #orderColumn()}). Reserved: the
     * spec validation keeps aggregate names and keyBy fields of a windowed pipeline off it.
     */
    public static final String EVENTS = SpecValidator.WINDOW_EVENTS;

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

    /**
     * @param backfill the SQL literal that rows of a table made without this column get when it is added (a NOT NULL
     *                 column can only be added with one), or null: a missing NOT NULL column is then refused
     */
    public record Column(String name, ColumnType type, boolean notNull, String backfill) implements Serializable {
        public Column(String name, ColumnType type, boolean notNull) {
            this(name, type, notNull, null);
        }
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
            // Backfilled with 0 in a table an earlier version made: the first recomputation of such a row replaces it.
            columns.add(new Column(EVENTS, ColumnType.BIGINT, true, "0"));
            return new ResultSchema(columns, primaryKey, EVENTS, true);
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
     * The column that orders versions of a row: an older version never overwrites a newer one. Without a window the
     * event time; windowed, {@link #EVENTS}: within one line of state a window's aggregate only grows, so every
     * re-fire passes, while a window recomputed from fewer events (after an offset reset without state, or by a
     * zombie attempt of a lost TaskManager) leaves a row computed from more as it is. Null when arrival order decides.
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

    /** Position of {@link #EVENTS} in the result row, or -1 without a window. */
    public int eventsIndex() {
        return windowed ? columns.size() - 1 : -1;
    }

    public boolean windowed() {
        return windowed;
    }

    public RowTypeInfo rowType() {
        return new RowTypeInfo(columns.stream().map(c -> c.type().rowType()).toArray(TypeInformation[]::new),
                columns.stream().map(Column::name).toArray(String[]::new));
    }
}
