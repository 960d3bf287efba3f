package io.streampipe.job.enrich;

import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.sink.DatabaseCredentials;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A dimension's place in the event rows, its SELECT, and what the join makes of an event. */
class DimensionTest {
    static final String YAML = """
            source:
              kafka: {bootstrapServers: "k:9092", topic: clicks, groupId: g}
              schema:
                - {name: click_id, type: string, required: true}
                - {name: user_id, type: string, required: true}
                - {name: ts, type: timestamp, required: true}
              eventTime: {field: ts, maxOutOfOrderness: 1s}
            transform:
              enrich:
                - name: users
                  postgres: {jdbcUrl: "jdbc:postgresql://pg/ref", table: crm.users, credentialsSecretRef: {name: ref}}
                  key: [{field: user_id, column: id}]
                  columns: [{name: country, type: string}, {name: tier, type: long}]
                - name: countries
                  postgres: {jdbcUrl: "jdbc:postgresql://pg/ref", table: countries, credentialsSecretRef: {name: ref}}
                  key: [{field: country}]
                  columns: [{name: region, type: string}]
                  onMissing: dead-letter
              keyBy: [region]
            sink:
              postgres: {jdbcUrl: "jdbc:postgresql://pg/analytics", table: clicks}
            deadLetter: {table: clicks_rejects}
            checkpointing: {interval: 1s, storage: {path: "file:///tmp/x"}}
            """;
    static final StreamingPipelineSpec SPEC = SpecFiles.parse(YAML);

    @Test
    void eachDimensionKeysOnTheEventAsTheDimensionsBeforeItLeftIt() {
        List<Dimension> dimensions = Dimension.all(SPEC, DatabaseCredentials.of("u", "p"));
        assertThat(dimensions.get(0).keyFields()).containsExactly(1);
        assertThat(dimensions.get(1).keyFields()).as("country, the first dimension's first column").containsExactly(3);
        assertThat(EventSchema.of(SPEC).indexByName()).containsEntry("region", 5).containsEntry("tier", 4);
        assertThat(EventSchema.of(SPEC).keyIndexes()).containsExactly(5);
        assertThat(EventSchema.parsed(SPEC).fieldCount()).isEqualTo(3);
    }

    @Test
    void theSelectQuotesEveryIdentifierAndLimitsTheRows() {
        Dimension users = Dimension.all(SPEC, DatabaseCredentials.of("u", "p")).get(0);
        assertThat(DimensionLoader.select(users)).isEqualTo("SELECT \"id\", \"country\", \"tier\" FROM \"crm\".\"users\" LIMIT ?");
    }

    @Test
    void aQueryRunsAsWrittenInsideASubqueryThatLimitsTheRows() {
        StreamingPipelineSpec spec = SpecFiles.parse(YAML);
        spec.transform.enrich.get(0).postgres.table = null;
        spec.transform.enrich.get(0).postgres.query = "SELECT id, country, tier FROM crm.users WHERE active -- only active\n;  ";
        Dimension users = Dimension.all(spec, DatabaseCredentials.of("u", "p")).get(0);
        assertThat(DimensionLoader.select(users)).isEqualTo(
                "SELECT * FROM (\nSELECT id, country, tier FROM crm.users WHERE active -- only active\n) AS dimension LIMIT ?");
        assertThat(users.source()).isEqualTo("its query");
    }

    @Test
    void aTableNameThatIsNotAPlainIdentifierIsRefusedNamingTheField() {
        StreamingPipelineSpec spec = SpecFiles.parse(YAML);
        spec.transform.enrich.get(0).postgres.table = "users; DROP TABLE users";
        assertThatThrownBy(() -> Dimension.all(spec, DatabaseCredentials.of("u", "p")))
                .hasMessageContaining("spec.transform.enrich[0].postgres.table");
    }

    @Test
    void theJoinedRowKeepsTheSourcePositionAtTheEndAndAMissingRowIsDescribed() {
        Dimension countries = Dimension.all(SPEC, DatabaseCredentials.of("u", "p")).get(1);
        DimensionJoin join = new DimensionJoin(countries, EventSchema.enrichedBy(SPEC, 1), null);
        Row event = Row.of("c-1", "u-1", 1000L, "de", 2L, "clicks", 3, 42L);
        assertThat(join.joined(event, new Object[]{"eu"})).isEqualTo(Row.of("c-1", "u-1", 1000L, "de", 2L, "eu", "clicks", 3, 42L));
        Reject reject = join.reject(event, List.of("de"));
        assertThat(reject.topic).isEqualTo("clicks");
        assertThat(reject.offset).isEqualTo(42L);
        assertThat(reject.payload).isEqualTo("{\"click_id\":\"c-1\",\"user_id\":\"u-1\",\"ts\":\"1970-01-01T00:00:01Z\",\"country\":\"de\",\"tier\":2}");
        assertThat(reject.reason).isEqualTo("enrich countries: no row in countries for [country] = [de]");
    }

    @Test
    void onMissingDefaultsToKeepingTheEvent() {
        assertThat(new EnrichSpec().onMissing).isEqualTo(EnrichSpec.OnMissing.KEEP_NULLS);
    }
}
