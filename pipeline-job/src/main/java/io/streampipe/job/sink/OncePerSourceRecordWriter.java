package io.streampipe.job.sink;

import io.streampipe.job.schema.ResultSchema.Column;

import java.util.List;

/**
 * Records that describe one Kafka record each (a reject, a too-late event) into a table keyed by the record's
 * position: one insert statement that ignores a position already written, so a replay adds nothing.
 */
abstract class OncePerSourceRecordWriter<T> implements TableWriter<T> {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final String field;
    private final List<Column> columns;

    OncePerSourceRecordWriter(String table, String field, List<Column> columns) {
        this.table = table;
        this.field = field;
        this.columns = columns;
    }

    @Override
    public final String table() {
        return table;
    }

    @Override
    public final String field() {
        return field;
    }

    @Override
    public final List<Column> columns() {
        return columns;
    }

    @Override
    public final List<String> conflictKey() {
        return SqlStatements.sourcePosition();
    }

    @Override
    public final List<String> statements() {
        return List.of(SqlStatements.insertIgnoringReplays(field, table, columns));
    }

    @Override
    public final int statementFor(T record) {
        return 0;
    }

    /** The record's Kafka position, in the order of {@link SqlStatements#sourcePosition()}: topic, partition, offset. */
    @Override
    public abstract Object rowKey(T record);
}
