package io.streampipe.api;

import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refusals of spec.transform.enrich that need two dimensions or a value the CRD's patterns already stop (the
 * single-dimension ones are rows of invalid-manifests.yaml, checked here and on the API server).
 */
class EnrichValidatorTest {

    static StreamingPipelineSpec enriched() {
        return PipelineSpecs.fromTree(ManifestCase.readExample("clickstream-enriched.yaml").get("spec"));
    }

    /** A second dimension {@code name}: region by the first dimension's country. */
    static EnrichSpec regions(String name, String column) {
        EnrichSpec regions = PipelineSpecs.fromTree(ManifestCase.readExample("clickstream-enriched.yaml").get("spec"))
                .transform.enrich.get(0);
        regions.name = name;
        regions.postgres.table = "countries";
        regions.key = new ArrayList<>(List.of(new EnrichSpec.KeyField("country", null)));
        regions.columns = new ArrayList<>(List.of(new EnrichSpec.Column(column, FieldType.STRING)));
        return regions;
    }

    @Test
    void aDimensionMayKeyOnAnEarlierDimensionsColumnAndTheAddedColumnIsAKey() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.add(regions("regions", "region"));
        spec.transform.keyBy = new ArrayList<>(List.of("region"));
        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    @Test
    void aKeyOnALaterDimensionsColumnIsRefused() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.add(0, regions("regions", "region"));
        assertThat(SpecValidator.problems(spec)).anySatisfy(p -> assertThat(p)
                .startsWith("spec.transform.enrich[0].key[0].field: 'country' is unknown")
                .contains(EnrichValidator.KEY_RULE));
    }

    @Test
    void aDimensionReadsATableOrAQueryNotBothNorNeither() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.get(0).postgres.query = "SELECT user_id, country, plan FROM users";
        assertThat(SpecValidator.problems(spec)).contains("spec.transform.enrich[0].postgres: set exactly one of table or query");
        spec.transform.enrich.get(0).postgres.table = null;
        assertThat(SpecValidator.problems(spec)).isEmpty();
        spec.transform.enrich.get(0).postgres.query = null;
        assertThat(SpecValidator.problems(spec)).contains("spec.transform.enrich[0].postgres: set exactly one of table or query");
        spec.transform.enrich.get(0).postgres.query = " ";
        assertThat(SpecValidator.problems(spec)).contains("spec.transform.enrich[0].postgres.query must be a SELECT of 1 to 10000 characters");
    }

    @Test
    void twoDimensionsWithOneNameAreRefused() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.add(regions("users", "region"));
        assertThat(SpecValidator.problems(spec)).contains("spec.transform.enrich[].name must be unique: 'users' names two dimensions");
    }

    @Test
    void twoDimensionsAddingOneColumnAreRefused() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.add(regions("regions", "plan"));
        assertThat(SpecValidator.problems(spec))
                .contains("spec.transform.enrich[1].columns[0].name: 'plan' must differ from the columns of the other dimensions");
    }

    @Test
    void aKeyColumnThatIsNotAPlainIdentifierIsRefused() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.get(0).key.get(0).column = "id\"; --";
        assertThat(SpecValidator.problems(spec)).anySatisfy(p -> assertThat(p).startsWith("spec.transform.enrich[0].key[0].column:"));
    }

    @Test
    void aDimensionWithoutColumnsOrKeyIsRefused() {
        StreamingPipelineSpec spec = enriched();
        spec.transform.enrich.get(0).columns = null; // as "columns: null" reads
        spec.transform.enrich.get(0).key = new ArrayList<>();
        assertThat(SpecValidator.problems(spec)).contains("spec.transform.enrich[0].key needs at least one field",
                "spec.transform.enrich[0].columns needs at least one column");
    }
}
