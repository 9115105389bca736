package dev.lakehouse.vectord.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The same contract for both stores: the local directory and S3 (s3proxy, an S3 server running in this JVM). */
class SnapshotStoreContractTest {
    static S3Proxy proxy;
    static URI endpoint;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = URI.create("http://127.0.0.1:" + port);
        proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(endpoint)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret").build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket("lakehouse"));
        }
    }

    static S3Client client() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-access", "test-secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stopS3() throws Exception {
        proxy.stop();
    }

    static Stream<SnapshotStore> stores() throws Exception {
        return Stream.of(new LocalSnapshotStore(Files.createTempDirectory(dir, "local")),
                S3SnapshotStore.create(endpoint, "us-east-1", "lakehouse", "p" + System.nanoTime(), "test-access", "test-secret"));
    }

    @org.junit.jupiter.api.Test
    void anIndex_recoversThroughS3_fromItsSnapshotGraphAndWal() throws Exception {
        S3SnapshotStore store = S3SnapshotStore.create(endpoint, "us-east-1", "lakehouse", "recovery", "test-access", "test-secret");
        Path data = Files.createTempDirectory(dir, "vectord");
        var first = dev.lakehouse.vectord.S3Recovery.open(data, store);
        dev.lakehouse.vectord.S3Recovery.writeSnapshotWrite(first);
        var second = dev.lakehouse.vectord.S3Recovery.open(data, store);
        assertThat(dev.lakehouse.vectord.S3Recovery.size(second)).isEqualTo(30);
        assertThat(store.list("s3idx/")).anyMatch(k -> k.startsWith("s3idx/graph-")).anyMatch(k -> k.startsWith("s3idx/snapshot-"))
                .contains("s3idx/manifest.json");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void writeReadListDelete(SnapshotStore store) throws Exception {
        store.write("jobs/manifest.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
        store.write("jobs/manifest.json", "{\"v\":2}".getBytes(StandardCharsets.UTF_8));
        Path file = Files.writeString(dir.resolve("snap-" + System.nanoTime()), "parquet bytes");
        store.put("jobs/snapshot-0000000001.parquet", file);
        store.write("other/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(store.read("jobs/manifest.json").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":2}");
        assertThat(store.list("jobs/")).containsExactly("jobs/manifest.json", "jobs/snapshot-0000000001.parquet");
        assertThat(store.list("")).contains("other/manifest.json");
        Path back = dir.resolve("back-" + System.nanoTime());
        assertThat(store.get("jobs/snapshot-0000000001.parquet", back)).isTrue();
        assertThat(Files.readString(back)).isEqualTo("parquet bytes");
        assertThat(store.get("jobs/nothing", back)).isFalse();
        assertThat(store.read("nothing")).isEmpty();
        store.delete("jobs/manifest.json");
        assertThat(store.read("jobs/manifest.json")).isEmpty();
        assertThat(store.describe()).isNotBlank();
    }
}
