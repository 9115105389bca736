package dev.lakehouse.matrixd;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the ranked lists of several corpora become one, as Qdrant's query API fuses
 * prefetches (lib/segment/src/common/reciprocal_rank_fusion.rs and score_fusion.rs):
 * each corpus's list (best first) is scored, and a point reached through several
 * corpora sums its scores ({@link Matrix} merges them).
 *
 * <ul>
 * <li>{@code rrf} — reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009),
 *     weighted as Qdrant weighs it: {@code 1 / ((position + 1) / weight + k − 1)},
 *     position from 0, so a weight stretches or compresses the ranks ("3:1 = three of
 *     the first corpus's for one of the second's") instead of scaling every score;
 *     weight 1 is the plain {@code 1 / (k + position)}. {@code k} is the request's
 *     {@code rrf_k}, 60 by default (Cormack's; Qdrant's default is 2).</li>
 * <li>{@code dbsf} — distribution-based score fusion, as Qdrant does it: per list,
 *     with mean μ and the <em>sample</em> standard deviation σ of its scores,
 *     {@code (s − (μ − 3σ)) / 6σ}, not clipped; a list of one score, or whose scores
 *     are all equal, maps to 0.5; then times the weight.</li>
 * <li>{@code relative} — relative score fusion, as Weaviate's relativeScoreFusion:
 *     per list, min–max, {@code (s − min) / (max − min)}, times the weight; a list whose
 *     scores are all equal maps to 1 (Qdrant's min–max would give 0.5).</li>
 * </ul>
 * Each is linear in the list.
 */
enum Fusion {
    RRF, DBSF, RELATIVE;

    /** The default constant of reciprocal rank fusion. */
    static final int RRF_K = 60;

    @JsonValue
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Comparable scores for one corpus's raw scores (best first), the weight applied; the same order. */
    double[] scores(double[] raw, double weight, int rrfK) {
        double[] out = new double[raw.length];
        if (raw.length == 0) {
            return out;
        }
        switch (this) {
            case RRF -> {
                for (int i = 0; i < raw.length; i++) {
                    out[i] = weight <= 0 ? 0 : 1.0 / ((i + 1) / weight + rrfK - 1);
                }
            }
            case DBSF -> {
                double mean = 0;
                for (double s : raw) {
                    mean += s;
                }
                mean /= raw.length;
                double var = 0;
                for (double s : raw) {
                    var += (s - mean) * (s - mean);
                }
                double sigma = raw.length < 2 ? 0 : Math.sqrt(var / (raw.length - 1));
                for (int i = 0; i < raw.length; i++) {
                    out[i] = weight * (sigma == 0 ? 0.5 : (raw[i] - (mean - 3 * sigma)) / (6 * sigma));
                }
            }
            case RELATIVE -> {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (double s : raw) {
                    min = Math.min(min, s);
                    max = Math.max(max, s);
                }
                for (int i = 0; i < raw.length; i++) {
                    out[i] = weight * (max == min ? 1.0 : (raw[i] - min) / (max - min));
                }
            }
        }
        return out;
    }
}
