package io.streampipe.scenarios;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchBacklogTest {

    @Test
    void narrowIdsAreTheKeysNumber() {
        assertThat(BenchBacklog.deviceId(0, 0)).isEqualTo("k0");
        assertThat(BenchBacklog.deviceId(9_999, 0)).isEqualTo("k9999");
    }

    @Test
    void wideIdsHaveTheirBytesAreUniqueAndDoNotCompressToNothing() {
        Set<String> ids = new HashSet<>();
        StringBuilder all = new StringBuilder();
        for (long key = 0; key < 10_000; key++) {
            String id = BenchBacklog.deviceId(key, 320);
            assertThat(id).hasSize(320).startsWith("k" + key + "-");
            ids.add(id);
            all.append(id);
        }
        assertThat(ids).hasSize(10_000);
        // Hex digits carry 4 bits a byte: even an entropy coder (deflate) keeps about half; repeats would shrink far more.
        byte[] raw = all.toString().getBytes(StandardCharsets.US_ASCII);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(raw);
        deflater.finish();
        byte[] buffer = new byte[raw.length];
        int compressed = deflater.deflate(buffer);
        deflater.end();
        assertThat((double) compressed / raw.length).isGreaterThan(0.45);
    }

    @Test
    void flinkConfigurationIsKeyValuePairs() {
        assertThat(BenchBacklog.flinkConfiguration("")).isEmpty();
        assertThat(BenchBacklog.flinkConfiguration("state.backend.rocksdb.use-bloom-filter=true, a.b = 1=2"))
                .containsExactly(Map.entry("state.backend.rocksdb.use-bloom-filter", "true"), Map.entry("a.b", "1=2"));
    }

    @Test
    void flinkConfigurationWithoutEqualsIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> BenchBacklog.flinkConfiguration("state.backend.rocksdb.use-bloom-filter"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--flink-conf").hasMessageContaining("'state.backend.rocksdb.use-bloom-filter' is not key=value");
        assertThatThrownBy(() -> BenchBacklog.flinkConfiguration("=true")).hasMessageContaining("'=true' is not key=value");
    }

    @Test
    void keyBytesAreANumberOfBytesAndAnythingElseIsRefusedNamingTheOption() {
        assertThat(BenchBacklog.keyBytes("0")).isZero();
        assertThat(BenchBacklog.keyBytes(" 320 ")).isEqualTo(320);
        for (String bad : new String[]{"abc", "-1", "", "3.5"}) {
            assertThatThrownBy(() -> BenchBacklog.keyBytes(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--key-bytes").hasMessageContaining("'" + bad.trim() + "' is not a number of bytes");
        }
    }
}
