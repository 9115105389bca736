package dev.lakehouse.vectord.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Snapshots in S3-compatible object storage (AWS S3, MinIO…) through the AWS SDK
 * v2: endpoint override, path-style access, the URL-connection HTTP client. A
 * PUT of an object is atomic, so readers see the old manifest or the new one.
 * Keys live under an optional prefix. SDK failures become {@link IOException}s,
 * so callers handle local and remote storage alike.
 */
public final class S3SnapshotStore implements SnapshotStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String where;

    public S3SnapshotStore(S3Client s3, String bucket, String prefix, String where) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix) : prefix + "/";
        this.where = where;
    }

    /** A client for {@code endpoint} (null: AWS's own); static credentials when given, else the SDK's default chain. */
    public static S3SnapshotStore create(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey) {
        AwsCredentialsProvider credentials = accessKey == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        var builder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return new S3SnapshotStore(builder.build(), bucket, prefix,
                "s3://" + bucket + "/" + (prefix == null ? "" : prefix) + (endpoint == null ? "" : " at " + endpoint));
    }

    private String key(String key) {
        return prefix + key;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key(key)).build(), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw new IOException("cannot store " + key + " in " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean get(String key, Path target) throws IOException {
        Files.deleteIfExists(target);
        try {
            s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key(key)).build(), ResponseTransformer.toFile(target));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (SdkException e) {
            throw new IOException("cannot read " + key + " from " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String key, byte[] bytes) throws IOException {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key(key)).build(), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw new IOException("cannot store " + key + " in " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key(key)).build()).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("cannot read " + key + " from " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key(key)).build());
        } catch (SdkException e) {
            throw new IOException("cannot delete " + key + " from " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        try {
            return s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(key(keyPrefix)).build())
                    .contents().stream().map(o -> o.key().substring(prefix.length())).sorted().toList();
        } catch (SdkException e) {
            throw new IOException("cannot list " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return where;
    }
}
