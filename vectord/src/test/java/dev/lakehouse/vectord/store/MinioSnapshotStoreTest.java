package dev.lakehouse.vectord.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 store against a real MinIO server in a container. Runs only where a
 * Docker engine exists; elsewhere it is skipped (the in-JVM S3 server of
 * {@link SnapshotStoreContractTest} covers the same contract everywhere).
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioSnapshotStoreTest {
    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2024-12-18T13-15-44Z");

    @Test
    void writeReadList_onRealMinio() throws Exception {
        URI endpoint = URI.create(MINIO.getS3URL());
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(MINIO.getUserName(), MINIO.getPassword())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            s3.createBucket(b -> b.bucket("lakehouse"));
        }
        S3SnapshotStore store = S3SnapshotStore.create(endpoint, "us-east-1", "lakehouse", "it", MINIO.getUserName(), MINIO.getPassword());
        store.write("jobs/manifest.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(store.read("jobs/manifest.json")).isPresent();
        assertThat(store.list("jobs/")).containsExactly("jobs/manifest.json");
    }
}
