package io.streampipe.bench;

/**
 * {@code e2e/bin/bench sink|window|enrich|kafka-sink|latency|parse|operator [--option value ...]}: each benchmark prints {@code key: value} lines
 * and ends with one {@code summary:} line; see e2e/bench/README.md.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: bench sink|window|enrich|kafka-sink|latency|parse|operator [--option value ...] (see e2e/bench/README.md)");
            System.exit(2);
        }
        Args options = new Args(args, 1);
        try {
            switch (args[0]) {
                case "sink" -> new SinkBenchmark(options).run();
                case "window" -> new WindowBenchmark(options).run();
                case "enrich" -> new EnrichBenchmark(options).run();
                case "kafka-sink" -> new KafkaSinkBenchmark(options).run();
                case "latency" -> new LatencyBenchmark(options).run();
                case "parse" -> new ParseBenchmark(options).run();
                case "operator" -> new OperatorBenchmark(options).run();
                default -> {
                    System.err.println("Unknown benchmark " + args[0] + "; known: sink, window, enrich, kafka-sink, latency, parse, operator");
                    System.exit(2);
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
