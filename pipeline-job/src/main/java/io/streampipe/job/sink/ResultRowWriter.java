package io.streampipe.job.sink;

import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.schema.ResultSchema.Column;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/** Result rows: an {@code INSERT} row is upserted, a {@code DELETE} row removes the row with its primary key. */
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
    public List<String> statements() {
        return List.of(SqlStatements.upsert(FIELD, table, result), SqlStatements.deleteByPrimaryKey(FIELD, table, result));
    }

    @Override
    public int statementFor(Row row) {
        return row.getKind() == RowKind.DELETE ? DELETE : UPSERT;
    }

    @Override
    public void bind(Row row, PreparedStatement statement) throws SQLException {
        List<Column> columns = result.columns();
        if (row.getKind() == RowKind.DELETE) {
            for (int i = 0; i < primaryKey.length; i++) {
                ColumnValues.bind(statement, i + 1, columns.get(primaryKey[i]).type(), row.getField(primaryKey[i]));
            }
            return;
        }
        for (int i = 0; i < columns.size(); i++) {
            ColumnValues.bind(statement, i + 1, columns.get(i).type(), row.getField(i));
        }
    }

    @Override
    public Object rowKey(Row row) {
        Object[] key = new Object[primaryKey.length];
        for (int i = 0; i < primaryKey.length; i++) {
            key[i] = row.getField(primaryKey[i]);
        }
        return Arrays.asList(key);
    }

    /** With an order column (the event time), an older version of a row never replaces a newer one. */
    @Override
    public boolean replaces(Row candidate, Row pending) {
        if (orderIndex < 0 || candidate.getKind() == RowKind.DELETE || pending.getKind() == RowKind.DELETE) {
            return true;
        }
        return (Long) candidate.getField(orderIndex) >= (Long) pending.getField(orderIndex);
    }
}
