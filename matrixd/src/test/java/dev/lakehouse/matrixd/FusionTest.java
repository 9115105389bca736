package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FusionTest {
    @Test
    void rrf_isWeightOver60PlusRank_andIgnoresScoreScales() {
        assertThat(Fusion.RRF.scores(new double[] {0.9, 0.5, 0.1}, 1.0)).containsExactly(1.0 / 61, 1.0 / 62, 1.0 / 63);
        assertThat(Fusion.RRF.scores(new double[] {900, 5}, 2.0)).containsExactly(2.0 / 61, 2.0 / 62);
    }

    @Test
    void dbsf_mapsMeanPlusMinusThreeSigmaToZeroOne_clipped() {
        double[] s = Fusion.DBSF.scores(new double[] {3, 2, 1}, 1.0);
        double sigma = Math.sqrt(2.0 / 3);
        assertThat(s[0]).isCloseTo((3 - (2 - 3 * sigma)) / (6 * sigma), within(1e-12));
        assertThat(s[1]).isCloseTo(0.5, within(1e-12));
        assertThat(Fusion.DBSF.scores(new double[] {0.7, 0.7}, 3.0)).containsExactly(1.5, 1.5);
        for (double v : Fusion.DBSF.scores(new double[] {100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1.0)) {
            assertThat(v).isBetween(0.0, 1.0);
        }
    }

    @Test
    void relative_isMinMaxPerList_withTheWeight() {
        double[] r = Fusion.RELATIVE.scores(new double[] {0.9, 0.7, 0.5}, 2.0);
        assertThat(r[0]).isEqualTo(2.0);
        assertThat(r[1]).isCloseTo(1.0, within(1e-12));
        assertThat(r[2]).isEqualTo(0.0);
        assertThat(Fusion.RELATIVE.scores(new double[] {0.4}, 1.0)).containsExactly(1.0);
        assertThat(Fusion.RELATIVE.scores(new double[0], 1.0)).isEmpty();
    }

    @Test
    void wireNames_areLowerCase() {
        assertThat(Fusion.DBSF.toString()).isEqualTo("dbsf");
    }
}
