package io.streampipe.sandbox.services;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.enrich.Dimension;
import io.streampipe.job.enrich.DimensionLoader;
import io.streampipe.job.enrich.DimensionTable;
import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.sandbox.generator.EventGenerator;
import io.streampipe.testkit.data.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox's users table of the enriched example, on a real PostgreSQL, read back by the job's own loader. */
class DimensionTablesTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("streampipe.examples", "../../examples"));

    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    @Test
    void theEnrichedExamplesUsersTableHoldsARowForEveryGeneratedUserAndReadsAsDeclared() throws Exception {
        StreamingPipelineSpec spec = SpecFiles.read(EXAMPLES.resolve("clickstream-enriched.yaml"));
        try (Connection connection = POSTGRES.newConnection()) {
            assertThat(DimensionTables.createAndFill(connection, spec, spec.transform.enrich.get(0))).isEqualTo(DimensionTables.ROWS);
            // A second start of the sandbox finds the table and its rows, and keeps them.
            DimensionTables.createAndFill(connection, spec, spec.transform.enrich.get(0));
        }
        spec.transform.enrich.get(0).postgres.jdbcUrl = POSTGRES.jdbcUrl();
        Dimension users = Dimension.all(spec, DatabaseCredentials.of(POSTGRES.username(), POSTGRES.password())).get(0);
        DimensionTable table = DimensionLoader.load(users);

        assertThat(table.size()).isEqualTo(DimensionTables.ROWS);
        for (Object user : EventGenerator.entityKeyValues(spec, "user_id", DimensionTables.ROWS)) {
            Object[] columns = table.lookup(List.of(user));
            assertThat(columns).as("row of %s", user).isNotNull();
            assertThat((String) columns[0]).as("country").isIn("de", "fr", "us", "jp", "br");
            assertThat((String) columns[1]).as("plan").isIn("free", "pro", "team", "enterprise");
        }
    }
}
