package dev.lakehouse.vectord;

import java.net.URI;
import java.time.Duration;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.EnvConfig;

/**
 * vectord's settings, each from its environment variable (docs/vectord.md).
 *
 * @param snapshotInterval {@code VECTORD_SNAPSHOT_INTERVAL}, default 5m; 0 turns periodic snapshots off
 * @param store            {@code VECTORD_STORE}, {@code local} (default, under the data dir) or {@code s3}
 * @param s3               the object store when {@code store} is {@code s3}, else null
 */
record VectordConfig(Duration snapshotInterval, Store store, S3 s3) {
    /** Default body limit: a batch of points is large (the operator's {@code VECTORD_MAX_BODY_BYTES} overrides it). */
    static final long MAX_BODY_BYTES = 64L << 20;

    enum Store { LOCAL, S3 }

    /**
     * @param endpoint  {@code VECTORD_S3_ENDPOINT}, default AWS's (set for MinIO)
     * @param region    {@code VECTORD_S3_REGION}, default us-east-1
     * @param bucket    {@code VECTORD_S3_BUCKET}, required
     * @param prefix    {@code VECTORD_S3_PREFIX}, default none
     * @param accessKey {@code VECTORD_S3_ACCESS_KEY} (a secret), default the SDK's credential chain
     * @param secretKey {@code VECTORD_S3_SECRET_KEY} (a secret)
     */
    record S3(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                    + ", keys=" + (accessKey == null ? "default chain" : "set") + "]";
        }
    }

    static VectordConfig from(EnvConfig env) {
        String kind = env.string("VECTORD_STORE", "local");
        Store store = switch (kind) {
            case "local" -> Store.LOCAL;
            case "s3" -> Store.S3;
            default -> throw new ConfigException("VECTORD_STORE=" + kind + " is not valid: expected local or s3");
        };
        S3 s3 = store != Store.S3 ? null : new S3(
                env.get("VECTORD_S3_ENDPOINT").map(u -> env.url("VECTORD_S3_ENDPOINT", null)).orElse(null),
                env.string("VECTORD_S3_REGION", "us-east-1"),
                env.get("VECTORD_S3_BUCKET").orElseThrow(() -> new ConfigException("VECTORD_STORE=s3 needs VECTORD_S3_BUCKET")),
                env.string("VECTORD_S3_PREFIX", ""),
                env.secret("VECTORD_S3_ACCESS_KEY").orElse(null),
                env.secret("VECTORD_S3_SECRET_KEY").orElse(null));
        return new VectordConfig(env.duration("VECTORD_SNAPSHOT_INTERVAL", Duration.ofMinutes(5)), store, s3);
    }
}
