package io.streampipe.scenarios;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs of {@code UpgradeDowntimeBench} that are plain values: the backlog's device ids and the pipeline's extra
 * Flink configuration from {@code e2e/bin/bench upgrade --flink-conf}. Apart from the benchmark so that a unit test can
 * check them without a sandbox.
 */
final class BenchBacklog {
    private BenchBacklog() {
    }

    /**
     * Device {@code key}'s id: "k" and the number, or, when {@code bytes} is longer, that many bytes: the number, a dash
     * and hex digits of a hash of it, as long unique device ids (URNs, paths) are. Unique per key, and not made of
     * repeats, so neither RocksDB's block compression nor a savepoint shrinks it to nothing.
     */
    static String deviceId(long key, int bytes) {
        StringBuilder id = new StringBuilder("k").append(key);
        if (id.length() >= bytes) {
            return id.toString();
        }
        id.append('-');
        long bits = key * 0x9E3779B97F4A7C15L + 1;
        while (id.length() < bytes) {
            bits ^= bits << 13;
            bits ^= bits >>> 7;
            bits ^= bits << 17;
            id.append(Long.toHexString(bits));
        }
        id.setLength(bytes);
        return id.toString();
    }

    /** {@code --key-bytes}: 0 for the narrow ids, else the width of every id; anything else is refused with the option named. */
    static int keyBytes(String option) {
        try {
            int bytes = Integer.parseInt(option.trim());
            if (bytes >= 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("--key-bytes (streampipe.bench.keyBytes): '" + option.trim()
                + "' is not a number of bytes; allowed: 0 (ids k0..k9999) or a positive width");
    }

    /**
     * {@code --flink-conf}'s "key=value,key=value" as a map; blank for none. An entry without '=' or with an empty key
     * is refused with the option named.
     */
    static Map<String, String> flinkConfiguration(String option) {
        Map<String, String> configuration = new LinkedHashMap<>();
        for (String entry : option.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals <= 0 || entry.substring(0, equals).isBlank()) {
                throw new IllegalArgumentException("--flink-conf (streampipe.bench.flinkConf): '" + entry.trim()
                        + "' is not key=value; allowed: key=value[,key=value...]");
            }
            configuration.put(entry.substring(0, equals).trim(), entry.substring(equals + 1).trim());
        }
        return configuration;
    }
}
