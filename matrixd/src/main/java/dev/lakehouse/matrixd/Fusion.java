package dev.lakehouse.matrixd;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the ranked lists of several corpora become one: each corpus's raw scores
 * (higher is better, best first) are mapped to comparable scores, multiplied by the
 * corpus {@code weight}, and all hits sorted by the result.
 *
 * <ul>
 * <li>{@code rrf} — reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009):
 *     {@code weight / (60 + rank)}, rank from 1. Ignores score scales entirely.</li>
 * <li>{@code dbsf} — distribution-based score fusion, as Qdrant does it: per list,
 *     with mean μ and standard deviation σ of its scores,
 *     {@code (s − (μ − 3σ)) / 6σ}, clipped to [0, 1]; a list whose scores are all
 *     equal (σ = 0) maps to 0.5.</li>
 * <li>{@code relative} — relative score fusion, as Weaviate's relativeScoreFusion:
 *     per list, min–max, {@code (s − min) / (max − min)}; a list whose scores are
 *     all equal maps to 1.</li>
 * </ul>
 * Each is linear in the list.
 */
enum Fusion {
    RRF, DBSF, RELATIVE;

    /** The constant of reciprocal rank fusion. */
    static final int RRF_K = 60;

    @JsonValue
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Comparable scores for one corpus's raw scores (best first), the weight applied; the same order. */
    double[] scores(double[] raw, double weight) {
        double[] out = new double[raw.length];
        if (raw.length == 0) {
            return out;
        }
        switch (this) {
            case RRF -> {
                for (int i = 0; i < raw.length; i++) {
                    out[i] = weight / (RRF_K + i + 1);
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
                double sigma = Math.sqrt(var / raw.length);
                for (int i = 0; i < raw.length; i++) {
                    double n = sigma == 0 ? 0.5 : (raw[i] - (mean - 3 * sigma)) / (6 * sigma);
                    out[i] = weight * Math.max(0, Math.min(1, n));
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
