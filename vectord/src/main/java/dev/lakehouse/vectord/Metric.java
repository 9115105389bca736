package dev.lakehouse.vectord;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.jelmerk.hnswlib.core.DistanceFunction;

/**
 * The three metrics, each with the distance hnswlib minimises and the score
 * callers see (higher is better for all three):
 * <pre>
 * cosine     vectors are L2-normalised on insert; distance = 1 − a·b;   score = 1 − distance (the cosine similarity, −1..1)
 * dot        distance = −(a·b);                                          score = a·b
 * euclidean  distance = |a − b|;                                         score = 1 / (1 + distance) (0..1]
 * </pre>
 */
public enum Metric {
    @JsonProperty("cosine") COSINE,
    @JsonProperty("dot") DOT,
    @JsonProperty("euclidean") EUCLIDEAN;

    DistanceFunction<float[], Float> distance() {
        return switch (this) {
            case COSINE -> new CosineOnNormalised();
            case DOT -> new NegativeDot();
            case EUCLIDEAN -> new Euclidean();
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    double score(float distance) {
        return switch (this) {
            case COSINE -> 1.0 - distance;
            case DOT -> -distance;
            case EUCLIDEAN -> 1.0 / (1.0 + distance);
        };
    }

    /**
     * Whether the distances run on the Vector API ({@link VectorDot}): when the JVM was
     * started with {@code --add-modules jdk.incubator.vector} (etc/jvm.env does), else the
     * scalar loops. A third of the insert's time and most of the search's is here.
     */
    static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    static float dot(float[] a, float[] b) {
        return SIMD ? VectorDot.dot(a, b) : scalarDot(a, b);
    }

    static float squaredDistance(float[] a, float[] b) {
        return SIMD ? VectorDot.squaredDistance(a, b) : scalarSquaredDistance(a, b);
    }

    static float scalarDot(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {   // four partial sums: shorter dependency chains than one
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return s0 + s1 + s2 + s3;
    }

    /** 1 − a·b on vectors already normalised to unit length. */
    static final class CosineOnNormalised implements DistanceFunction<float[], Float> {
        private static final long serialVersionUID = 1L;

        @Override
        public Float distance(float[] a, float[] b) {
            return 1f - dot(a, b);
        }
    }

    static final class NegativeDot implements DistanceFunction<float[], Float> {
        private static final long serialVersionUID = 1L;

        @Override
        public Float distance(float[] a, float[] b) {
            return -dot(a, b);
        }
    }

    static final class Euclidean implements DistanceFunction<float[], Float> {
        private static final long serialVersionUID = 1L;

        @Override
        public Float distance(float[] a, float[] b) {
            return (float) Math.sqrt(squaredDistance(a, b));
        }
    }

    static float scalarSquaredDistance(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
