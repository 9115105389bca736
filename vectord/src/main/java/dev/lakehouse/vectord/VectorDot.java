package dev.lakehouse.vectord;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner product on the machine's widest SIMD registers (the Vector API: 8 floats a
 * lane on AVX2, 16 on AVX-512), one fused multiply-add per lane and step. Loaded only
 * when the JVM has {@code jdk.incubator.vector} ({@link Metric#SIMD}); the sums are
 * added in another order than the scalar loop's, so results differ in the last bits.
 */
final class VectorDot {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorDot() {
    }

    static float dot(float[] a, float[] b) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(a.length); i < bound; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The squared distance |a − b|², likewise. */
    static float squaredDistance(float[] a, float[] b) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(a.length); i < bound; i += SPECIES.length()) {
            FloatVector d = FloatVector.fromArray(SPECIES, a, i).sub(FloatVector.fromArray(SPECIES, b, i));
            acc = d.fma(d, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
