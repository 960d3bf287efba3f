package io.streampipe.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.metrics.PipelineMetrics;
import io.streampipe.operator.status.Reasons;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's alerts and dashboard use only series that exist: the operator's, as its registry renders them for
 * Prometheus, and the job's and Flink's listed in docs/metrics.md (which WindowedPipelineIT in pipeline-job checks
 * against the Prometheus reporter of a real run of the job).
 */
class ObservabilityMetricsTest {
    private static final Path METRICS_DOC = Path.of("../docs/metrics.md");
    /** Our series and Flink's all start so; anything else followed by a selector is a series we do not know. */
    private static final Pattern SERIES = Pattern.compile("\\b(?:streampipe|flink)_[A-Za-z0-9_:]+");
    private static final Pattern SELECTED = Pattern.compile("\\b([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{");
    private static final Pattern DOC_ROW = Pattern.compile("^\\| `([A-Za-z_:][A-Za-z0-9_:]*)` \\|", Pattern.MULTILINE);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Map<String, JsonNode> rendered;

    @BeforeAll
    static void render() throws Exception {
        String manifests = HelmChartTest.helm("template", "sp", HelmChartTest.CHART.toString(), "--namespace", "streampipe-system",
                "--kube-version", "1.31.4", "--set", "metrics.prometheusRule.enabled=true", "--set", "metrics.dashboard.enabled=true",
                "--set", "metrics.podMonitor.enabled=true", "--set", "metrics.serviceMonitor.enabled=true");
        rendered = new LinkedHashMap<>();
        try (var documents = YAML.readerFor(JsonNode.class).readValues(manifests)) {
            while (documents.hasNext()) {
                JsonNode object = (JsonNode) documents.next();
                if (object != null && object.has("kind")) {
                    rendered.put(object.get("kind").asText() + "/" + object.at("/metadata/name").asText(), object);
                }
            }
        }
    }

    /** Every series name Prometheus gets from the operator's per-pipeline metrics, from a scrape of its registry. */
    static Set<String> operatorSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(registry, Clock.systemUTC());
        metrics.observe("ns", "p", null, new StreamingPipelineStatus());
        metrics.reconcileFailed("ns", "p", Reasons.RECONCILE_FAILED);
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (line.startsWith("streampipe_")) {
                names.add(line.substring(0, line.indexOf('{')));
            }
        }
        return names;
    }

    /** The series docs/metrics.md lists in the table rows of one section. */
    static Set<String> documented(String sectionHeading) throws IOException {
        String doc = Files.readString(METRICS_DOC);
        int start = doc.indexOf("\n## " + sectionHeading + "\n");
        assertThat(start).as("section '%s' in %s", sectionHeading, METRICS_DOC).isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        Matcher rows = DOC_ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        Set<String> names = new TreeSet<>();
        while (rows.find()) {
            names.add(rows.group(1));
        }
        return names;
    }

    private static List<String> ruleExpressions() {
        JsonNode rule = rendered.get("PrometheusRule/sp-operator");
        assertThat(rule).as("the PrometheusRule, rendered").isNotNull();
        List<String> expressions = new ArrayList<>();
        rule.at("/spec/groups").forEach(group -> group.get("rules").forEach(r -> expressions.add(r.get("expr").asText())));
        return expressions;
    }

    private static JsonNode dashboard() throws IOException {
        JsonNode configMap = rendered.get("ConfigMap/sp-operator-dashboard");
        assertThat(configMap).as("the dashboard ConfigMap, rendered").isNotNull();
        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        return new ObjectMapper().readTree(configMap.at("/data/streampipe.json").asText());
    }

    /** Every PromQL expression of the dashboard: panel targets, annotations and template variable queries. */
    private static List<String> dashboardExpressions(JsonNode node, List<String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if ((field.getKey().equals("expr") || field.getKey().equals("definition")) && field.getValue().isTextual()) {
                    into.add(field.getValue().asText());
                } else {
                    dashboardExpressions(field.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> dashboardExpressions(element, into));
        }
        return into;
    }

    private static Set<String> seriesIn(List<String> expressions) {
        Set<String> used = new TreeSet<>();
        for (String expression : expressions) {
            Matcher series = SERIES.matcher(expression);
            boolean any = false;
            while (series.find()) {
                used.add(series.group());
                any = true;
            }
            assertThat(any).as("'%s' reads no streampipe_ or flink_ series", expression).isTrue();
            Matcher selected = SELECTED.matcher(expression);
            while (selected.find()) {
                assertThat(selected.group(1)).as("series selected in '%s'", expression).matches(SERIES);
            }
        }
        return used;
    }

    private static Set<String> exported() throws IOException {
        Set<String> exported = new TreeSet<>(operatorSeries());
        exported.addAll(documented("The job's series"));
        return exported;
    }

    @Test
    void theDocumentedOperatorSeriesAreExactlyTheOnesTheOperatorExports() throws IOException {
        assertThat(documented("The operator's series")).containsExactlyInAnyOrderElementsOf(operatorSeries());
    }

    @Test
    void everyAlertReadsSeriesThatAreExported() throws IOException {
        List<String> expressions = ruleExpressions();
        assertThat(expressions).hasSize(7);
        Set<String> used = seriesIn(expressions);
        assertThat(used).isSubsetOf(exported());
        assertThat(used).contains("flink_jobmanager_job_numberOfFailedCheckpoints", "flink_jobmanager_job_numRestarts",
                "flink_taskmanager_job_task_operator_pendingRecords", "streampipe_pipeline_condition");
    }

    @Test
    void everyDashboardQueryReadsSeriesThatAreExported() throws IOException {
        JsonNode dashboard = dashboard();
        Set<String> used = seriesIn(dashboardExpressions(dashboard, new ArrayList<>()));
        assertThat(used).isSubsetOf(exported());
        assertThat(dashboard.at("/annotations/list").findValuesAsText("expr")).as("operator events on the timeline").isNotEmpty();
        assertThat(dashboard.toString()).doesNotContain("${DS_");
    }

    @Test
    void theOperatorsServiceMonitorKeepsThePipelinesNamespaceLabel() {
        JsonNode serviceMonitor = rendered.get("ServiceMonitor/sp-operator");
        assertThat(serviceMonitor.at("/spec/endpoints/0/honorLabels").asBoolean()).isTrue();
        JsonNode podMonitor = rendered.get("PodMonitor/sp-operator-flink");
        assertThat(podMonitor.at("/spec/podMetricsEndpoints/0/relabelings/0/targetLabel").asText()).isEqualTo("name");
    }

    @Test
    void theMonitoringObjectsAreOffByDefault() throws Exception {
        String defaults = HelmChartTest.helm("template", "sp", HelmChartTest.CHART.toString(), "--kube-version", "1.31.4");
        assertThat(defaults).doesNotContain("kind: PrometheusRule", "kind: PodMonitor", "kind: ServiceMonitor", "grafana_dashboard");
    }
}
