package io.streampipe.job.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the test MiniCluster's Prometheus reporter serves, read as Prometheus reads it: series names, and sums of a
 * series over the samples of one job. One port per test JVM (the ITs of a class share their MiniCluster).
 */
public final class PrometheusScrape {
    public static final int PORT = freePort();
    private static final Pattern SAMPLE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(\\{[^}]*})? (\\S+)$");
    private static final Pattern DOC_ROW = Pattern.compile("^\\| `(flink_[A-Za-z0-9_:]+)` \\|", Pattern.MULTILINE);

    private final Map<String, Double> samples;

    private PrometheusScrape(Map<String, Double> samples) {
        this.samples = samples;
    }

    public static PrometheusScrape now() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Double> samples = new TreeMap<>();
            for (String line : response.body().split("\n")) {
                Matcher sample = SAMPLE.matcher(line);
                if (sample.matches()) {
                    samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)), Double.parseDouble(sample.group(3)));
                }
            }
            return new PrometheusScrape(samples);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.keySet().forEach(series -> names.add(series.contains("{") ? series.substring(0, series.indexOf('{')) : series));
        return names;
    }

    /** The sum of a series over the samples whose labels contain every one of {@code labels} ({@code key="value"}). */
    public double sum(String name, String... labels) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith(name + "{") && Set.of(labels).stream().allMatch(e.getKey()::contains))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The values a label takes on the samples of a series that have every one of {@code labels}. */
    public Set<String> labelValues(String name, String label, String... labels) {
        Pattern value = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"");
        Set<String> values = new TreeSet<>();
        samples.keySet().stream()
                .filter(series -> series.startsWith(name + "{") && Set.of(labels).stream().allMatch(series::contains))
                .forEach(series -> {
                    Matcher found = value.matcher(series);
                    if (found.find()) {
                        values.add(found.group(1));
                    }
                });
        return values;
    }

    /** Whether some sample of the series has these labels. */
    public boolean has(String name, String... labels) {
        return samples.keySet().stream()
                .anyMatch(series -> series.startsWith(name + "{") && Set.of(labels).stream().allMatch(series::contains));
    }

    /** The Flink series docs/metrics.md promises (the job's own and Flink's that the chart's alerts and dashboard use). */
    public static Set<String> documentedFlinkSeries() {
        try {
            Matcher rows = DOC_ROW.matcher(Files.readString(Path.of("../docs/metrics.md")));
            Set<String> names = new TreeSet<>();
            while (rows.find()) {
                names.add(rows.group(1));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
