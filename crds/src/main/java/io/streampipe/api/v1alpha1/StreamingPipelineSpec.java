package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.Map;

/**
 * The desired pipeline. Rules that span sections are checked here by the API server (CEL), so that a manifest
 * the server accepts is one the job can run.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(oldSelf.maxParallelism) || (has(self.maxParallelism) && self.maxParallelism == oldSelf.maxParallelism)",
        message = "spec.maxParallelism is immutable once set: changing it would break keyed state")
@ValidationRule(value = "!has(self.maxParallelism) || self.maxParallelism >= self.parallelism",
        message = "spec.maxParallelism must be greater than or equal to spec.parallelism")
@ValidationRule(value = "self.transform.keyBy.all(k, self.source.schema.exists(f, f.name == k) || (has(self.transform.enrich) && self.transform.enrich.exists(e, e.columns.exists(c, c.name == k))))",
        message = "spec.transform.keyBy names a field that is not in spec.source.schema nor a column of spec.transform.enrich")
@ValidationRule(value = "!has(self.transform.aggregates) || self.transform.aggregates.all(a, a.fn == 'count' || self.source.schema.exists(f, f.name == a.field && (f.type == 'long' || f.type == 'double')) || (has(self.transform.enrich) && self.transform.enrich.exists(e, e.columns.exists(c, c.name == a.field && (c.type == 'long' || c.type == 'double')))))",
        message = "spec.transform.aggregates[].field must name a long or double field of spec.source.schema or spec.transform.enrich")
@ValidationRule(value = "!has(self.transform.enrich) || self.transform.enrich.all(e, e.columns.all(c, !self.source.schema.exists(f, f.name == c.name)))",
        message = "spec.transform.enrich[].columns[].name must differ from the fields of spec.source.schema")
@ValidationRule(value = "!has(self.transform.enrich) || self.transform.enrich.all(e, e.key.all(k, self.source.schema.exists(f, f.name == k.field && f.type in ['string', 'long', 'boolean']) || self.transform.enrich.exists(d, d.columns.exists(c, c.name == k.field && c.type in ['string', 'long', 'boolean']))))",
        message = "spec.transform.enrich[].key[].field must name a string, long or boolean field of spec.source.schema or an earlier dimension's column")
@ValidationRule(value = "!has(self.transform.window) || has(self.source.eventTime)",
        message = "spec.source.eventTime is required when spec.transform.window is set")
@ValidationRule(value = "!has(self.transform.window) || has(self.lateData)",
        message = "spec.lateData is required when spec.transform.window is set: late events go to a table or are dropped explicitly, never silently")
@ValidationRule(value = "!has(self.transform.window) || !has(self.checkpointing.mode) || self.checkpointing.mode != 'at-least-once'",
        message = "spec.checkpointing.mode at-least-once is not allowed with spec.transform.window: the windows' state would count events replayed after a restore twice; use exactly-once")
@ValidationRule(value = "!has(self.sink.postgres) || !has(self.sink.postgres.primaryKey) || (size(self.sink.postgres.primaryKey) == size(self.transform.keyBy) + (has(self.transform.window) ? 1 : 0) && self.sink.postgres.primaryKey.all(c, c in self.transform.keyBy || (has(self.transform.window) && c == 'window_start')))",
        message = "spec.sink.postgres.primaryKey must be the keyBy fields, plus window_start when windowed")
@ValidationRule(value = "!has(self.upgrade) || !has(self.upgrade.mode) || self.upgrade.mode != 'last-state' || !has(self.checkpointing.storage.path) || !self.checkpointing.storage.path.startsWith('file://')",
        message = "spec.upgrade.mode last-state needs shared checkpoint storage (s3, gcs, azure or pvc), not a local file:// path")
@ValidationRule(value = "!has(self.flinkConfiguration) || self.flinkConfiguration.all(k, !k.lowerAscii().contains('password') && !k.lowerAscii().contains('secret') && !k.lowerAscii().contains('access-key'))",
        message = "spec.flinkConfiguration must not carry secrets: use the credentialsSecretRef fields")
@ValidationRule(value = "!has(self.lateData) || !has(self.lateData.table) || !has(self.sink.postgres) || !(" + StreamingPipelineSpec.SAME_TABLE_LATE_SINK + ")",
        message = "spec.lateData.table must differ from spec.sink.postgres.table: late events have columns of their own")
@ValidationRule(value = "!has(self.deadLetter.table) || !has(self.sink.postgres) || !(" + StreamingPipelineSpec.SAME_TABLE_DEAD_SINK + ")",
        message = "spec.deadLetter.table must differ from spec.sink.postgres.table: rejected records have columns of their own")
@ValidationRule(value = "!has(self.lateData) || !has(self.lateData.table) || !has(self.deadLetter.table) || !(" + StreamingPipelineSpec.SAME_TABLE_LATE_DEAD + ")",
        message = "spec.deadLetter.table must differ from spec.lateData.table")
@ValidationRule(value = "!has(self.lateData) || has(self.transform.window)",
        message = "spec.lateData applies only with spec.transform.window: without a window no event is late")
@ValidationRule(value = "!has(self.state) || self.state != 'suspended' || !has(self.upgrade) || !has(self.upgrade.mode) || self.upgrade.mode != 'stateless'",
        message = "spec.state suspended takes a savepoint to resume from only with spec.upgrade.mode savepoint or last-state; with stateless the job would stop without one and resume empty")
@ValidationRule(value = "!has(self.offsetReset) || (has(self.offsetReset.keepState) && !self.offsetReset.keepState) || !has(self.upgrade) || !has(self.upgrade.mode) || self.upgrade.mode != 'stateless'",
        message = "spec.offsetReset.keepState cannot keep state with spec.upgrade.mode stateless, which starts every deploy empty: set keepState: false or another upgrade mode")
@ValidationRule(value = "!has(self.flinkConfiguration) || !self.flinkConfiguration.exists(k, k.matches('" + Patterns.FLINK_KEYS_FROM_SPEC + "'))",
        message = "spec.flinkConfiguration must not set a key that a spec field sets (checkpointing, maxParallelism, resources.taskManager.slots, upgrade, savepoints, parallelism): it would be overridden")
@ValidationRule(value = "!has(self.deadLetter.table) || has(self.sink.postgres)",
        message = "spec.deadLetter.table needs spec.sink.postgres, whose database holds it; with only spec.sink.kafka use spec.deadLetter.topic")
@ValidationRule(value = "!has(self.deadLetter.topic) || has(self.sink.kafka)",
        message = "spec.deadLetter.topic needs spec.sink.kafka, whose cluster it is written to")
@ValidationRule(value = "!has(self.lateData) || !has(self.lateData.table) || has(self.sink.postgres)",
        message = "spec.lateData.table needs spec.sink.postgres, whose database holds it; with only spec.sink.kafka use spec.lateData.topic")
@ValidationRule(value = "!has(self.lateData) || !has(self.lateData.topic) || has(self.sink.kafka)",
        message = "spec.lateData.topic needs spec.sink.kafka, whose cluster it is written to")
@ValidationRule(value = "!has(self.sink.kafka) || !(" + StreamingPipelineSpec.SAME_TOPIC_DEAD_SINK + ")",
        message = "spec.deadLetter.topic must differ from spec.sink.kafka.topic: rejected records have fields of their own")
@ValidationRule(value = "!has(self.sink.kafka) || !has(self.lateData) || !has(self.lateData.topic) || self.lateData.topic != self.sink.kafka.topic",
        message = "spec.lateData.topic must differ from spec.sink.kafka.topic: late events have fields of their own")
@ValidationRule(value = "!has(self.lateData) || !has(self.lateData.topic) || !has(self.deadLetter.topic) || self.lateData.topic != self.deadLetter.topic",
        message = "spec.deadLetter.topic must differ from spec.lateData.topic")
@ValidationRule(value = "!has(self.sink.kafka) || !has(self.source.kafka.topic) || self.sink.kafka.topic != self.source.kafka.topic || self.sink.kafka.bootstrapServers != self.source.kafka.bootstrapServers",
        message = "spec.sink.kafka.topic must differ from spec.source.kafka.topic on the same cluster: the job would read its own results")
@ValidationRule(value = "!has(self.sink.kafka) || (has(self.sink.kafka.delivery) && self.sink.kafka.delivery == 'at-least-once') || !has(self.checkpointing.mode) || self.checkpointing.mode != 'at-least-once'",
        message = "spec.sink.kafka.delivery exactly-once needs spec.checkpointing.mode exactly-once: without aligned barriers a transaction can hold records that the restored job computes again")
@ValidationRule(value = "!has(self.sink.kafka) || !has(self.sink.kafka.transactionTimeout) || !has(self.checkpointing.interval) || duration(self.sink.kafka.transactionTimeout) > duration(self.checkpointing.interval)",
        message = "spec.sink.kafka.transactionTimeout must be longer than spec.checkpointing.interval: a transaction stays open from one checkpoint until the next one completes")
public class StreamingPipelineSpec {
    /** Two table names that name the same table: equal, or equal once PostgreSQL's default schema public is added. */
    static final String SAME_TABLE_LATE_SINK = "self.lateData.table == self.sink.postgres.table"
            + " || 'public.' + self.lateData.table == self.sink.postgres.table || self.lateData.table == 'public.' + self.sink.postgres.table";
    static final String SAME_TABLE_DEAD_SINK = "self.deadLetter.table == self.sink.postgres.table"
            + " || 'public.' + self.deadLetter.table == self.sink.postgres.table || self.deadLetter.table == 'public.' + self.sink.postgres.table";
    static final String SAME_TOPIC_DEAD_SINK = "has(self.deadLetter.topic) && self.deadLetter.topic == self.sink.kafka.topic";
    static final String SAME_TABLE_LATE_DEAD = "self.lateData.table == self.deadLetter.table"
            + " || 'public.' + self.lateData.table == self.deadLetter.table || self.lateData.table == 'public.' + self.deadLetter.table";

    @JsonPropertyDescription("pipeline-job image; default set by the operator's configuration.")
    public String image;

    @Default("1")
    @Min(1)
    @Max(32768)
    @JsonPropertyDescription("Job parallelism. A change rescales through a savepoint.")
    public int parallelism = 1;

    @Min(1)
    @Max(32768)
    @JsonPropertyDescription("Maximum parallelism (number of key groups). Pinned at first deploy (default 128, recorded in status.maxParallelism) and immutable: changing it breaks keyed state.")
    public Integer maxParallelism;

    @JsonPropertyDescription("CPU, memory and slots of the Flink pods.")
    public ResourcesSpec resources = new ResourcesSpec();

    @JsonPropertyDescription("Kubernetes service account of the Flink pods. Default: flink.")
    public String serviceAccount;

    @Required
    @JsonPropertyDescription("Kafka source, event schema and event time.")
    public SourceSpec source;

    @Required
    @JsonPropertyDescription("Key, window, aggregates and filters.")
    public TransformSpec transform;

    @Required
    @JsonPropertyDescription("Where results go: a PostgreSQL upsert sink, a Kafka topic, or both.")
    public SinkSpec sink;

    @JsonPropertyDescription("Events later than the window's allowedLateness: a side table, a topic or an explicit drop. Required with a window.")
    public LateDataSpec lateData;

    @Required
    @JsonPropertyDescription("Table (or topic) for records that fail parsing or the schema: raw payload, reason, topic/partition/offset and time.")
    public TableRef deadLetter;

    @Required
    @JsonPropertyDescription("Checkpoints and their storage.")
    public CheckpointingSpec checkpointing;

    @JsonPropertyDescription("How spec changes reach the running job.")
    public UpgradeSpec upgrade = new UpgradeSpec();

    @JsonPropertyDescription("Periodic and on-demand savepoints.")
    public SavepointsSpec savepoints = new SavepointsSpec();

    @JsonPropertyDescription("A one-shot Kafka offset reset, applied when its token is new.")
    public OffsetResetSpec offsetReset;

    @JsonPropertyDescription("A one-shot restore from a savepoint, applied when its token is new.")
    public RestoreSpec restore;

    @Default("running")
    @JsonPropertyDescription("running, or suspended (stopped with a savepoint; resumes from it).")
    public State state = State.RUNNING;

    @JsonPropertyDescription("What deleting the pipeline does to the job.")
    public DeletionSpec deletion = new DeletionSpec();

    @Size(max = 128)
    @JsonPropertyDescription("Extra Flink configuration (no secrets); streampipe's own keys win.")
    public Map<String, String> flinkConfiguration;

    public enum State {
        @JsonProperty("running") RUNNING,
        @JsonProperty("suspended") SUSPENDED
    }
}
