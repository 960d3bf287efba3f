package io.streampipe.job.sink;

import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.schema.ResultSchema.Column;
import io.streampipe.job.schema.ResultSchema.ColumnType;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Result rows: {@code INSERT} rows are upserted, all of a batch in one array statement; a {@code DELETE} row removes
 * the row with its primary key.
 */
public final class ResultRowWriter implements TableWriter<Row> {
    private static final long serialVersionUID = 1L;
    private static final int UPSERT = 0;
    private static final int DELETE = 1;
    static final String FIELD = "spec.sink.postgres.table";

    private final String table;
    private final ResultSchema result;
    private final int[] primaryKey;
    private final int orderIndex;

    public ResultRowWriter(String table, ResultSchema result) {
        this.table = table;
        this.result = result;
        this.primaryKey = result.primaryKeyIndexes();
        this.orderIndex = result.orderColumn() == null ? -1 : result.indexOf(result.orderColumn());
    }

    @Override
    public String table() {
        return table;
    }

    @Override
    public String field() {
        return FIELD;
    }

    @Override
    public List<Column> columns() {
        return result.columns();
    }

    @Override
    public List<String> conflictKey() {
        return result.primaryKey();
    }

    @Override
    public List<String> statements() {
        return List.of(SqlStatements.upsert(FIELD, table, result), SqlStatements.deleteByPrimaryKey(FIELD, table, result));
    }

    @Override
    public int statementFor(Row row) {
        return row.getKind() == RowKind.DELETE ? DELETE : UPSERT;
    }

    @Override
    public boolean writesArrays(int index) {
        return index == UPSERT;
    }

    @Override
    public void bindAll(List<Row> rows, PreparedStatement statement) throws SQLException {
        List<Column> columns = result.columns();
        for (int c = 0; c < columns.size(); c++) {
            ColumnType type = columns.get(c).type();
            Object[] values = ColumnValues.newArray(type, rows.size());
            for (int r = 0; r < values.length; r++) {
                values[r] = ColumnValues.arrayElement(type, rows.get(r).getField(c));
            }
            statement.setArray(c + 1, statement.getConnection().createArrayOf(ColumnValues.arrayElementType(type), values));
        }
    }

    /** Deletes only: upserts go through {@link #bindAll}. */
    @Override
    public void bind(Row row, PreparedStatement statement) throws SQLException {
        if (row.getKind() != RowKind.DELETE) {
            throw new IllegalStateException("Upserts are written as arrays, not row by row");
        }
        List<Column> columns = result.columns();
        for (int i = 0; i < primaryKey.length; i++) {
            ColumnValues.bind(statement, i + 1, columns.get(primaryKey[i]).type(), row.getField(primaryKey[i]));
        }
        if (orderIndex >= 0) {
            ColumnValues.bind(statement, primaryKey.length + 1, columns.get(orderIndex).type(), row.getField(orderIndex));
        }
    }

    /**
     * The primary-key value, or the list of them for a key of several columns, with -0.0 as 0.0: PostgreSQL holds
     * them equal, so two changes of one row must never look like two rows (the array upsert would update the row
     * twice and fail). A single value, not a one-element list, because a batch hashes and sorts it for every record
     * (a {@code String} caches its hash).
     */
    @Override
    public Object rowKey(Row row) {
        if (primaryKey.length == 1) {
            return keyValue(row.getField(primaryKey[0]));
        }
        Object[] key = new Object[primaryKey.length];
        for (int i = 0; i < primaryKey.length; i++) {
            key[i] = keyValue(row.getField(primaryKey[i]));
        }
        return Arrays.asList(key);
    }

    private static Object keyValue(Object value) {
        return value instanceof Double d && d == 0.0 ? (Object) 0.0 : value;
    }

    /**
     * By primary key, column by column: without a window a row's versions can come from two Kafka partitions, so two
     * subtasks may upsert the same rows, and they must lock them in one order.
     */
    @Override
    public Comparator<Object> rowOrder() {
        return primaryKey.length == 1 ? ResultRowWriter::compareValues : ResultRowWriter::compareLists;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    private static int compareLists(Object a, Object b) {
        List<?> left = (List<?>) a;
        List<?> right = (List<?>) b;
        for (int i = 0; i < left.size(); i++) {
            int order = compareValues(left.get(i), right.get(i));
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }

    /**
     * With an order column (the event time; windowed, the event count), an older version of a row never replaces a
     * newer one, as the upsert's guard decides in the table. A delete and the change after it go in arrival order.
     */
    @Override
    public boolean replaces(Row candidate, Row pending) {
        if (orderIndex < 0 || candidate.getKind() == RowKind.DELETE || pending.getKind() == RowKind.DELETE) {
            return true;
        }
        return (Long) candidate.getField(orderIndex) >= (Long) pending.getField(orderIndex);
    }

    /**
     * The row kind, then per column of the schema a presence byte and the value by column type (timestamps as epoch
     * millis, text with Flink's {@link StringValue} encoding): nothing but the values; the column types are kept once
     * per checkpoint's rows ({@link #recordLayout}).
     */
    @Override
    public void writeRecord(Row row, DataOutputView out) throws IOException {
        out.writeByte(row.getKind().toByteValue());
        List<Column> columns = result.columns();
        for (int c = 0; c < columns.size(); c++) {
            Object value = row.getField(c);
            out.writeBoolean(value != null);
            if (value == null) {
                continue;
            }
            switch (columns.get(c).type()) {
                case TEXT -> StringValue.writeString((String) value, out);
                case BIGINT, TIMESTAMPTZ -> out.writeLong(((Number) value).longValue());
                case DOUBLE -> out.writeDouble(((Number) value).doubleValue());
                case BOOLEAN -> out.writeBoolean((Boolean) value);
            }
        }
    }

    /** The columns' types in order, e.g. {@code text,timestamptz,timestamptz,bigint,double precision}. */
    @Override
    public String recordLayout() {
        return String.join(",", result.columns().stream().map(c -> c.type().sql()).toList());
    }

    @Override
    public Row readRecord(DataInputView in) throws IOException {
        RowKind kind = RowKind.fromByteValue(in.readByte());
        List<Column> columns = result.columns();
        Row row = new Row(kind, columns.size());
        for (int c = 0; c < columns.size(); c++) {
            if (!in.readBoolean()) {
                continue;
            }
            row.setField(c, switch (columns.get(c).type()) {
                case TEXT -> StringValue.readString(in);
                case BIGINT, TIMESTAMPTZ -> in.readLong();
                case DOUBLE -> in.readDouble();
                case BOOLEAN -> in.readBoolean();
            });
        }
        return row;
    }
}
