package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.schema.ResultSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sink.postgres.createTable}: creates the result, late-data and dead-letter tables if they don't exist, adds
 * the nullable columns a newer spec writes to a table an older one made (a new aggregate, a new field; existing rows
 * read NULL there), then checks each against the spec ({@link TableCheck}), so that a table that existed before and
 * does not fit stops the job at its start, naming the table and the column. Nothing is ever dropped or retyped.
 */
public final class TableCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TableCreator.class);

    private TableCreator() {
    }

    /** The DDL for every table of the pipeline, idempotent. */
    public static List<String> statements(StreamingPipelineSpec spec) {
        List<String> statements = new ArrayList<>();
        for (TableWriter<?> writer : writers(spec)) {
            statements.addAll(SqlStatements.createTable(writer.field(), writer.table(), writer.columns(), writer.conflictKey()));
        }
        return statements;
    }

    /** The writers of the pipeline's tables, whose columns and keys the tables must fit. */
    static List<TableWriter<?>> writers(StreamingPipelineSpec spec) {
        List<TableWriter<?>> writers = new ArrayList<>();
        writers.add(new ResultRowWriter(spec.sink.postgres.table, ResultSchema.of(spec)));
        if (spec.deadLetter.table != null) {
            writers.add(new DeadLetterWriter(spec.deadLetter.table));
        }
        if (spec.lateData != null && spec.lateData.table != null) {
            writers.add(new LateEventWriter(spec.lateData.table));
        }
        return writers;
    }

    public static void createTables(StreamingPipelineSpec spec, DatabaseCredentials credentials) {
        String url = spec.sink.postgres.jdbcUrl;
        try (Connection connection = PostgresDriver.connect(url, credentials);
             Statement statement = connection.createStatement()) {
            for (String ddl : statements(spec)) {
                statement.execute(ddl);
            }
            for (TableWriter<?> writer : writers(spec)) {
                for (String ddl : TableCheck.missingColumns(connection, writer)) {
                    statement.execute(ddl);
                    LOG.info("{}: {}", writer.field(), ddl);
                }
            }
            for (TableWriter<?> writer : writers(spec)) {
                TableCheck.verify(connection, writer);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the tables of spec.sink.postgres (createTable: true) at "
                    + BatchCommitter.withoutParameters(url) + ": " + BatchCommitter.describe(e), e);
        }
        LOG.info("Ensured tables {} exist and fit the pipeline at {}",
                writers(spec).stream().map(TableWriter::table).collect(java.util.stream.Collectors.joining(", ")),
                BatchCommitter.withoutParameters(url));
    }
}
