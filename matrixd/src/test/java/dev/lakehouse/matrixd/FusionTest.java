package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The fusions against figures worked out by hand from their definitions (Qdrant's weighted RRF and DBSF, Weaviate's
 * relative score fusion), including the worked example of Qdrant's own RRF test: three lists fused with k = 2.
 */
class FusionTest {
    @Test
    void rrf_isOneOverKPlusPosition_andIgnoresScoreScales() {
        assertThat(Fusion.RRF.scores(new double[] {0.9, 0.5, 0.1}, 1.0, 60)).containsExactly(1.0 / 60, 1.0 / 61, 1.0 / 62);
        assertThat(Fusion.RRF.scores(new double[] {900, 5}, 1.0, 60)).containsExactly(1.0 / 60, 1.0 / 61);
    }

    @Test
    void rrf_ofThreeLists_summedPerPoint_isQdrantsWorkedExample() {
        // lists [2,1], [1,2,3], [5,3,1] with k = 2: point 1 = 1/3 + 1/2 + 1/4, 2 = 1/2 + 1/3, 3 = 1/4 + 1/3, 5 = 1/2
        List<List<String>> lists = List.of(List.of("2", "1"), List.of("1", "2", "3"), List.of("5", "3", "1"));
        Map<String, Double> sum = new LinkedHashMap<>();
        for (List<String> l : lists) {
            double[] s = Fusion.RRF.scores(new double[l.size()], 1.0, 2);
            for (int i = 0; i < l.size(); i++) {
                sum.merge(l.get(i), s[i], Double::sum);
            }
        }
        assertThat(sum.get("1")).isCloseTo(13.0 / 12, within(1e-9));
        assertThat(sum.get("2")).isCloseTo(5.0 / 6, within(1e-9));
        assertThat(sum.get("3")).isCloseTo(7.0 / 12, within(1e-9));
        assertThat(sum.get("5")).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void weightedRrf_stretchesRanks_insteadOfScalingScores() {
        // weight 3: position p scores like position (p+1)/3 - 1 would at weight 1
        double[] w3 = Fusion.RRF.scores(new double[9], 3.0, 60);
        assertThat(w3[2]).isCloseTo(1.0 / 60, within(1e-12));   // (2+1)/3 + 60 - 1 = 60
        assertThat(w3[5]).isCloseTo(1.0 / 61, within(1e-12));
        // weight 0.5: the corpus's first hit ranks like the other's second, not below its first ~60 as a product would make it
        double[] half = Fusion.RRF.scores(new double[3], 0.5, 60);
        double[] one = Fusion.RRF.scores(new double[3], 1.0, 60);
        assertThat(half[0]).isCloseTo(one[1], within(1e-12));
        assertThat(half[0]).isGreaterThan(one[2]);
        // weight 0 (Qdrant: negligible) contributes nothing
        assertThat(Fusion.RRF.scores(new double[2], 0.0, 60)).containsExactly(0.0, 0.0);
    }

    @Test
    void dbsf_usesTheSampleDeviation_doesNotClip_andMapsOneOrEqualScoresToAHalf() {
        double[] s = Fusion.DBSF.scores(new double[] {3, 2, 1}, 1.0, 60);   // mean 2, sample sd 1: (s + 1) / 6
        assertThat(s[0]).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(s[1]).isCloseTo(0.5, within(1e-12));
        assertThat(s[2]).isCloseTo(2.0 / 6, within(1e-12));
        assertThat(Fusion.DBSF.scores(new double[] {0.7, 0.7}, 3.0, 60)).containsExactly(1.5, 1.5);
        assertThat(Fusion.DBSF.scores(new double[] {0.42}, 2.0, 60)).containsExactly(1.0);
        double[] outlier = Fusion.DBSF.scores(new double[] {100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1.0, 60);
        // mean 25/3, sample sd sqrt(2500/3): the outlier lands above 1 (no clip), the rest just below 0.5
        double mean = 100.0 / 12;
        double sd = Math.sqrt(((100 - mean) * (100 - mean) + 11 * mean * mean) / 11);
        assertThat(outlier[0]).isCloseTo((100 - (mean - 3 * sd)) / (6 * sd), within(1e-9)).isGreaterThan(1.0);
        assertThat(outlier[1]).isCloseTo((0 - (mean - 3 * sd)) / (6 * sd), within(1e-9));
    }

    @Test
    void relative_isMinMax_withEqualScoresAtOne() {
        double[] r = Fusion.RELATIVE.scores(new double[] {0.9, 0.7, 0.5}, 2.0, 60);
        assertThat(r[0]).isCloseTo(2.0, within(1e-12));
        assertThat(r[1]).isCloseTo(1.0, within(1e-12));
        assertThat(r[2]).isCloseTo(0.0, within(1e-12));
        assertThat(Fusion.RELATIVE.scores(new double[] {0.4}, 1.0, 60)).containsExactly(1.0);
        assertThat(Fusion.RELATIVE.scores(new double[0], 1.0, 60)).isEmpty();
        assertThat(Fusion.DBSF.toString()).isEqualTo("dbsf");
    }
}
