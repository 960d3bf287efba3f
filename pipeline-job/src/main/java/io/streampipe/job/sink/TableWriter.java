package io.streampipe.job.sink;

import io.streampipe.job.schema.ResultSchema.Column;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;

/** How one kind of record is written to its table: which statement, which parameters, which row it changes. */
public interface TableWriter<T> extends Serializable {
    /** The table written, as the spec names it: for thread names and messages, never for SQL. */
    String table();

    /** The spec field that names the table, for messages: e.g. {@code spec.sink.postgres.table}. */
    String field();

    /** The columns the statements write, as {@link TableCreator} creates them; {@link TableCheck} holds a table to them. */
    List<Column> columns();

    /** The columns of the key the statements' {@code ON CONFLICT} names: the table needs a unique index on exactly them. */
    List<String> conflictKey();

    /** The statements this writer uses, prepared once per connection. */
    List<String> statements();

    /** Index into {@link #statements()} of the statement that writes this record. */
    int statementFor(T record);

    /** Binds one record to a statement run once per record (in a JDBC batch). */
    void bind(T record, PreparedStatement statement) throws SQLException;

    /**
     * Whether statement {@code index} writes all its records of a batch at once, from one array per column
     * ({@link #bindAll}), instead of once per record.
     */
    default boolean writesArrays(int index) {
        return false;
    }

    /** Binds all records of a batch to an array statement ({@link #writesArrays}); at most one record per row. */
    default void bindAll(List<T> records, PreparedStatement statement) throws SQLException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no array statement");
    }

    /** Identity of the table row the record changes. Within one batch only one change per row is sent. */
    Object rowKey(T record);

    /**
     * The order in which a batch's rows are written, by {@link #rowKey}, or null for arrival order. Two transactions
     * that lock the same rows in the same order cannot deadlock: needed where two subtasks may write one row.
     */
    default Comparator<Object> rowOrder() {
        return null;
    }

    /** Whether {@code candidate} replaces {@code pending} as the change of the same row in a batch; by default the later one wins. */
    default boolean replaces(T candidate, T pending) {
        return true;
    }

    /**
     * Writes a record into a checkpoint, as a pending row of {@link CheckpointedPostgresSink} ({@link EpochRowsSerializer}
     * version 1). Only the writers of decisions a window took need it: result rows and late events.
     */
    default void writeRecord(T record, DataOutputView out) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is not written with the checkpoint");
    }

    /**
     * What {@link #writeRecord} writes, as a short text kept with the records: records written under another layout
     * are refused when read, not misread. Only with {@link #writeRecord}.
     */
    default String recordLayout() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is not written with the checkpoint");
    }

    /** Reads a record {@link #writeRecord} wrote. */
    default T readRecord(DataInputView in) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is not written with the checkpoint");
    }
}
