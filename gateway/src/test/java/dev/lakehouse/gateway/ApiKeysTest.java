package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import dev.lakehouse.common.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
    @TempDir
    Path dir;

    ApiKeys load(String text) throws Exception {
        Path f = dir.resolve("keys");
        Files.writeString(f, text);
        return ApiKeys.load(f);
    }

    @Test
    void keys_withAndWithoutScopes() throws Exception {
        ApiKeys keys = load("# ops\nadmin:0123456789abcdef0123\n\nchat-app:fedcba9876543210fedc:chat,embed\nall:aaaaaaaaaaaaaaaaaaaa:*\n");
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.find("0123456789abcdef0123").orElseThrow().allows("journal")).isTrue();
        ApiKeys.Caller app = keys.find("fedcba9876543210fedc").orElseThrow();
        assertThat(app.name()).isEqualTo("chat-app");
        assertThat(app.allows("chat")).isTrue();
        assertThat(app.allows("embed")).isTrue();
        assertThat(app.allows("validate")).isFalse();
        assertThat(keys.find("aaaaaaaaaaaaaaaaaaaa").orElseThrow().allows("status")).isTrue();
        assertThat(keys.find("not-a-key-at-all-xx")).isEmpty();
        assertThat(keys.find("")).isEmpty();
    }

    @Test
    void badLines_failNamingTheLine_neverTheKey() {
        assertThatThrownBy(() -> load("a:0123456789abcdef0123\nbroken-line\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> load("a:short\n")).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> load("a:0123456789abcdef0123:chat,teleport\n")).hasMessageContaining("unknown scope 'teleport'")
                .hasMessageNotContaining("0123456789abcdef0123");
        assertThatThrownBy(() -> load("a:0123456789abcdef0123\nb:0123456789abcdef0123\n")).hasMessageContaining("repeats");
    }

    @Test
    void aKeysFile_missingTruncatedOrReadableByOthers() throws Exception {
        assertThatThrownBy(() -> ApiKeys.load(dir.resolve("absent"))).isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> load("admin:0123456789abcde")).hasMessageContaining("at least 16");   // a key cut short
        Path f = dir.resolve("keys");
        Files.writeString(f, "admin:0123456789abcdef0123\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ApiKeys.warnWhenOthersRead(f)).isTrue();
        assertThat(ApiKeys.load(f).size()).as("used, with the warning").isEqualTo(1);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(ApiKeys.warnWhenOthersRead(f)).isFalse();
    }

    @Test
    void tokenBucket_allowsBurst_thenRefillsAtRate() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(2, 3, now::get);
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).as("burst spent: wait a second").isEqualTo(1);
        assertThat(limiter.acquire("other")).as("buckets are per caller").isZero();
        now.addAndGet(500_000_000L);   // half a second at 2/s: one token
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isPositive();
    }
}
