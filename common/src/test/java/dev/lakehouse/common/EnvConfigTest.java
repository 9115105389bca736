package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvConfigTest {
    @Test
    void defaults_whenUnset() {
        EnvConfig env = EnvConfig.of(Map.of());
        assertThat(env.port("embedd", 4216)).isEqualTo(4216);
        assertThat(env.bind()).isEqualTo("127.0.0.1");
        assertThat(env.dataDir("vectord")).isEqualTo(Path.of("data", "vectord").toAbsolutePath());
        assertThat(env.peerUrl(DaemonId.CHATD)).isEqualTo(URI.create("http://127.0.0.1:4218"));
    }

    @Test
    void peerUrl_followsPortOverride_unlessUrlIsSet() {
        assertThat(EnvConfig.of(Map.of("LAKEHOUSE_CHATD_PORT", "5218")).peerUrl(DaemonId.CHATD))
                .isEqualTo(URI.create("http://127.0.0.1:5218"));
        assertThat(EnvConfig.of(Map.of("LAKEHOUSE_CHATD_PORT", "5218", "LAKEHOUSE_CHATD_URL", "http://chat:80"))
                .peerUrl(DaemonId.CHATD)).isEqualTo(URI.create("http://chat:80"));
    }

    @ParameterizedTest
    @CsvSource({"LAKEHOUSE_EMBEDD_PORT,abc", "LAKEHOUSE_EMBEDD_PORT,70000", "LAKEHOUSE_EMBEDD_PORT,-1"})
    void badPort_failsNamingTheVariable(String name, String value) {
        EnvConfig env = EnvConfig.of(Map.of(name, value));
        assertThatThrownBy(() -> env.port("embedd", 4216))
                .isInstanceOf(ConfigException.class).hasMessageContaining(name + "=" + value);
    }

    @ParameterizedTest
    @CsvSource({"1048576,1048576", "512k,524288", "256MiB,268435456", "2g,2147483648", "10 MB,10485760"})
    void bytes_parsesUnits(String raw, long expected) {
        assertThat(EnvConfig.of(Map.of("X", raw)).bytes("X", 0)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"250ms,PT0.25S", "5s,PT5S", "2m,PT2M", "1h,PT1H", "40,PT0.04S"})
    void duration_parsesUnits(String raw, String expected) {
        assertThat(EnvConfig.of(Map.of("X", raw)).duration("X", Duration.ZERO)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void badValues_failNamingTheVariable() {
        EnvConfig env = EnvConfig.of(Map.of("A", "lots", "B", "soon", "C", "maybe", "D", "ftp://x", "LAKEHOUSE_LOG_LEVEL", "LOUD"));
        assertThatThrownBy(() -> env.bytes("A", 1)).hasMessageContaining("A=lots");
        assertThatThrownBy(() -> env.duration("B", Duration.ZERO)).hasMessageContaining("B=soon");
        assertThatThrownBy(() -> env.bool("C", true)).hasMessageContaining("C=maybe");
        assertThatThrownBy(() -> env.url("D", null)).hasMessageContaining("D=ftp://x");
        assertThatThrownBy(() -> Logs.parseLevel("LOUD")).hasMessageContaining("LAKEHOUSE_LOG_LEVEL=LOUD");
    }

    @Test
    void envFile_fillsWhatTheEnvironmentDoesNotSet(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lakehouse.env");
        Files.writeString(file, "# comment\nexport LAKEHOUSE_BIND=0.0.0.0\nEMBEDD_CACHE_MAX_BYTES=\"64m\"\n\n");
        Map<String, String> values = EnvConfig.readEnvFile(file);
        assertThat(values).containsEntry("LAKEHOUSE_BIND", "0.0.0.0").containsEntry("EMBEDD_CACHE_MAX_BYTES", "64m");
        Files.writeString(file, "not a pair\n");
        assertThatThrownBy(() -> EnvConfig.readEnvFile(file)).isInstanceOf(ConfigException.class).hasMessageContaining("line 1");
    }
}
