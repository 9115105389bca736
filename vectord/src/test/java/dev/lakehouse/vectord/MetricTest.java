package dev.lakehouse.vectord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The SIMD distances against the scalar loops, on the lengths that have a tail and the ones that do not. */
class MetricTest {
    @Test
    void theTestsRunWithTheVectorApi_asTheDaemonDoes() {
        assertThat(Metric.SIMD).as("surefire's argLine adds jdk.incubator.vector, as etc/jvm.env does").isTrue();
    }

    @Test
    void simdAndScalar_agree_forEveryLength() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n : new int[] {1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 384, 385, 768, 1536}) {
            float[] a = new float[n];
            float[] b = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) random.nextDouble(-1, 1);
                b[i] = (float) random.nextDouble(-1, 1);
            }
            float tolerance = 1e-4f * n;
            assertThat(VectorDot.dot(a, b)).as("dot, n=" + n).isCloseTo(Metric.scalarDot(a, b), within(tolerance));
            assertThat(VectorDot.squaredDistance(a, b)).as("squared distance, n=" + n)
                    .isCloseTo(Metric.scalarSquaredDistance(a, b), within(tolerance));
        }
    }

    @Test
    void distances_areTheMetricsOwn() {
        float[] a = {1, 0, 0, 0, 0, 0, 0, 0, 0};
        float[] b = {0, 1, 0, 0, 0, 0, 0, 0, 0};
        assertThat(Metric.COSINE.distance().distance(a, a)).isCloseTo(0f, within(1e-6f));
        assertThat(Metric.COSINE.distance().distance(a, b)).isCloseTo(1f, within(1e-6f));
        assertThat(Metric.DOT.distance().distance(a, a)).isCloseTo(-1f, within(1e-6f));
        assertThat(Metric.EUCLIDEAN.distance().distance(a, b)).isCloseTo((float) Math.sqrt(2), within(1e-6f));
    }
}
