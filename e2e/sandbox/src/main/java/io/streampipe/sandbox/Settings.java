package io.streampipe.sandbox;

import io.streampipe.api.Durations;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The command line of the local run ({@code sandbox run}) and of the operator demo ({@code sandbox demo}).
 *
 * @param duration run: how long to generate events; demo: how long to run after {@code kubectl apply}; null: until
 *                 Ctrl-C
 * @param speed    how much faster than the wall clock event time runs
 */
public record Settings(Path manifest, int eventsPerSecond, Duration duration, long seed, double speed) {
    static final int DEFAULT_EVENTS_PER_SECOND = 20;
    private static final String USAGE = """
            usage: e2e/bin/sandbox %s <manifest.yaml> [--events-per-second N] [--duration 60s] [--seed S] [--speed X]

              --events-per-second N  events the generator produces per second (default %d; 0: none, only watch)
              --duration D           %s;
                                     default: until Ctrl-C
              --seed S               the same seed gives the same keys, values and mix of events (default: random)
              --speed X              event time runs X times faster than the clock, so that long windows and
                                     session gaps close during the run (default 1)
            """;

    /** @param command {@code run} or {@code demo} */
    public static String usage(String command) {
        String duration = command.equals("demo")
                ? "run for D after kubectl apply (e.g. 90s, 5m), wait for the dead letters, then stop"
                : "generate for D (e.g. 90s, 5m), wait for the job to catch up, then stop";
        return USAGE.formatted(command, DEFAULT_EVENTS_PER_SECOND, duration);
    }

    /** @throws IllegalArgumentException with what is wrong */
    public static Settings parse(String[] args) {
        Path manifest = null;
        int eventsPerSecond = DEFAULT_EVENTS_PER_SECOND;
        Duration duration = null;
        long seed = Math.floorMod(System.nanoTime(), 100_000L);
        double speed = 1;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                if (manifest != null) {
                    throw new IllegalArgumentException("one manifest at a time, got " + manifest + " and " + arg);
                }
                manifest = Path.of(arg);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            String value = args[++i];
            try {
                switch (arg) {
                    case "--events-per-second" -> eventsPerSecond = atLeast(arg, Integer.parseInt(value), 0);
                    case "--duration" -> duration = Durations.parse("--duration", value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--speed" -> {
                        speed = Double.parseDouble(value);
                        if (!(speed > 0)) {
                            throw new IllegalArgumentException("--speed must be positive, got " + value);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(arg + ": not a number: " + value);
            }
        }
        if (manifest == null) {
            throw new IllegalArgumentException("which manifest? e.g. examples/sensor-anomalies.yaml");
        }
        return new Settings(manifest, eventsPerSecond, duration, seed, speed);
    }

    private static int atLeast(String option, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(option + " must be at least " + minimum + ", got " + value);
        }
        return value;
    }
}
