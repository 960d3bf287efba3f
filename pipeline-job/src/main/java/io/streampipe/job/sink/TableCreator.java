package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.schema.ResultSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** {@code sink.postgres.createTable}: creates the result, late-data and dead-letter tables if they don't exist. */
public final class TableCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TableCreator.class);

    private TableCreator() {
    }

    /** The DDL for every table of the pipeline, idempotent. */
    public static List<String> statements(StreamingPipelineSpec spec) {
        ResultSchema result = ResultSchema.of(spec);
        List<String> statements = new ArrayList<>(SqlStatements.createTable(ResultRowWriter.FIELD, spec.sink.postgres.table,
                result.columns(), result.primaryKey()));
        statements.addAll(SqlStatements.createTable(DeadLetterWriter.FIELD, spec.deadLetter.table,
                SqlStatements.DEAD_LETTER_COLUMNS, SqlStatements.sourcePosition()));
        if (spec.lateData != null && spec.lateData.table != null) {
            statements.addAll(SqlStatements.createTable(LateEventWriter.FIELD, spec.lateData.table,
                    SqlStatements.LATE_COLUMNS, SqlStatements.sourcePosition()));
        }
        return statements;
    }

    public static void createTables(StreamingPipelineSpec spec, DatabaseCredentials credentials) {
        String url = spec.sink.postgres.jdbcUrl;
        try (Connection connection = DriverManager.getConnection(url, credentials.username(), credentials.password());
             Statement statement = connection.createStatement()) {
            for (String ddl : statements(spec)) {
                statement.execute(ddl);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the tables of spec.sink.postgres (createTable: true) at "
                    + url + ": " + e.getMessage(), e);
        }
        LOG.info("Ensured tables {}, {}{} exist at {}", spec.sink.postgres.table, spec.deadLetter.table,
                spec.lateData != null && spec.lateData.table != null ? ", " + spec.lateData.table : "", url);
    }
}
