package io.streampipe.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Kafka → Flink → PostgreSQL streaming pipeline, declared as one resource. */
@Group(StreamingPipeline.GROUP)
@Version(StreamingPipeline.VERSION)
@Kind("StreamingPipeline")
@Plural("streamingpipelines")
@Singular("streamingpipeline")
@ShortNames("spipe")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.parallelism", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Running", jsonPath = ".status.job.parallelism", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Job", jsonPath = ".status.job.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last Savepoint", jsonPath = ".status.lastSavepoint.time", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "self.metadata.name.matches('" + Patterns.PIPELINE_NAME + "')",
        message = "metadata.name must start with a letter, hold only lower case letters, digits and '-', end with a letter or digit, and be at most 45 characters: it names the FlinkDeployment, and the Flink Kubernetes Operator refuses any other name")
public class StreamingPipeline extends CustomResource<StreamingPipelineSpec, StreamingPipelineStatus> implements Namespaced {
    public static final String GROUP = "streampipe.io";
    public static final String VERSION = "v1alpha1";
}
