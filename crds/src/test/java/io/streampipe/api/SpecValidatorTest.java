package io.streampipe.api;

import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job's own gate refuses what the API server refuses, naming the same field. */
class SpecValidatorTest {

    static Stream<Path> examples() throws IOException {
        return Files.list(ManifestCase.examplesDir()).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsValid(Path example) {
        StreamingPipelineSpec spec = PipelineSpecs.fromTree(ManifestCase.readExample(example.getFileName().toString()).get("spec"));
        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    static Stream<ManifestCase> jobCheckedCases() {
        return ManifestCase.all().stream().filter(c -> !c.apiServerOnly());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobCheckedCases")
    void invalidManifestIsRefusedNamingTheField(ManifestCase invalid) {
        String problems;
        try {
            problems = String.join("\n", SpecValidator.problems(PipelineSpecs.fromTree(invalid.manifest().get("spec"))));
        } catch (IllegalArgumentException unreadable) {
            problems = unreadable.getMessage();
        }
        assertThat(problems).as(invalid.name()).contains(invalid.field());
    }

    @Test
    void everyCrossFieldRowNamesItsPairAndWhereItsRuleLives() {
        assertThat(ManifestCase.crossField()).hasSizeGreaterThanOrEqualTo(10).allSatisfy(row -> {
            assertThat(row.pair()).as(row.name()).isNotBlank();
            assertThat(row.where()).as(row.name()).contains(row.apiServerOnly() ? "Preflight" : "SpecValidator");
        });
    }

    @Test
    void atLeastFifteenInvalidManifestsAreCovered() {
        assertThat(ManifestCase.all()).hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void atLeastOnceCheckpointsAreValidWithoutAWindow() {
        StreamingPipelineSpec spec = PipelineSpecs.fromTree(ManifestCase.readExample("orders-upsert.yaml").get("spec"));
        spec.checkpointing.mode = CheckpointingSpec.Mode.AT_LEAST_ONCE;
        assertThat(SpecValidator.problems(spec)).isEmpty();
    }

    @Test
    void requireValidListsEveryProblem() {
        StreamingPipelineSpec spec = PipelineSpecs.fromTree(ManifestCase.readExample("sensor-anomalies.yaml").get("spec"));
        spec.parallelism = 0;
        spec.deadLetter.table = "Bad Name";
        assertThatThrownBy(() -> SpecValidator.requireValid(spec))
                .hasMessageContaining("spec.parallelism")
                .hasMessageContaining("spec.deadLetter.table");
    }

    @Test
    void everyMistakeIsReportedNotOnlyTheFirst() {
        StreamingPipelineSpec spec = PipelineSpecs.fromTree(ManifestCase.readExample("sensor-anomalies.yaml").get("spec"));
        spec.transform.window.slide = "10m";
        spec.checkpointing.interval = "soon";
        assertThat(SpecValidator.problems(spec))
                .anyMatch(p -> p.startsWith("spec.transform.window.slide must be shorter"))
                .anyMatch(p -> p.startsWith("spec.checkpointing.interval"));
    }

    @Test
    void unknownFieldIsRefusedWithItsPath() {
        assertThatThrownBy(() -> PipelineSpecs.fromJson("{\"source\":{\"kafka\":{\"topik\":\"x\"}}}"))
                .hasMessageContaining("topik").hasMessageContaining("spec.source.kafka");
    }

    @Test
    void jsonFormRoundTrips() {
        StreamingPipelineSpec spec = PipelineSpecs.fromTree(ManifestCase.readExample("clickstream-sessions.yaml").get("spec"));
        String json = PipelineSpecs.toJson(spec);
        assertThat(PipelineSpecs.toJson(PipelineSpecs.fromJson(json))).isEqualTo(json);
        assertThat(List.of(spec.transform.window.gap, spec.source.startingOffsets.timestamp))
                .containsExactly("30m", "2026-11-20T00:00:00Z");
    }
}
