package dev.memtune.metrics;

import dev.memtune.scoring.Scores;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Metrics against published worked examples and against Apache Commons Math. */
class MetricsTest {

    /** (name, pred, gold, metric, published value, source). */
    static Stream<Arguments> published() {
        return Stream.of(
                // scikit-learn matthews_corrcoef docstring: y_true=[+1,+1,+1,-1], y_pred=[+1,-1,+1,+1] -> -0.33...
                Arguments.of(new int[] {1, 0, 1, 1}, new int[] {1, 1, 1, 0}, Metric.MCC, -1.0 / 3),
                // cat/dog confusion matrix of Wikipedia (TP=6, FN=2, FP=1, TN=3) -> MCC = 16/sqrt(1120) = 0.478
                Arguments.of(new int[] {1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0}, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, Metric.MCC, 16 / Math.sqrt(1120)),
                // scikit-learn accuracy_score docstring: y_pred=[0,2,1,3], y_true=[0,1,2,3] -> 0.5
                Arguments.of(new int[] {0, 2, 1, 3}, new int[] {0, 1, 2, 3}, Metric.ACCURACY, 0.5),
                // scikit-learn f1_score docstring, average=None: y_true=[0,1,2,0,1,2], y_pred=[0,2,1,0,0,1] -> [0.8, 0, 0];
                // class 1 as positive gives 0; class 0 recoded as positive gives 0.8
                Arguments.of(new int[] {0, 2, 1, 0, 0, 1}, new int[] {0, 1, 2, 0, 1, 2}, Metric.F1, 0.0),
                Arguments.of(new int[] {1, 0, 0, 1, 1, 0}, new int[] {1, 0, 0, 1, 0, 0}, Metric.F1, 0.8),
                // scikit-learn f1_score docstring, zero_division: all-negative labels and predictions -> 0.0 by default
                Arguments.of(new int[] {0, 0, 0, 0, 0, 0}, new int[] {0, 0, 0, 0, 0, 0}, Metric.F1, 0.0));
    }

    @ParameterizedTest
    @MethodSource("published")
    void publishedClassificationExamples(int[] pred, int[] gold, Metric m, double expected) {
        assertEquals(expected, Scores.classification(m, pred, gold), 1e-12);
    }

    @Test
    void publishedCorrelationExamples() {
        // SciPy pearsonr docstring: statistic -0.828503883588428
        assertEquals(-0.828503883588428, Metrics.pearson(new double[] {1, 2, 3, 4, 5, 6, 7}, new double[] {10, 9, 2.5, 6, 4, 3, 2}), 1e-14);
        // SciPy spearmanr docstring: spearmanr([1,2,3,4,5], [5,6,7,8,7]) -> 0.8207826816681233
        assertEquals(0.8207826816681233, Metrics.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7}), 1e-14);
        // SciPy rankdata docstring: rankdata([0, 2, 3, 2]) -> [1, 2.5, 4, 2.5]
        assertArrayEquals(new double[] {1, 2.5, 4, 2.5}, Metrics.averageRanks(new double[] {0, 2, 3, 2}));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 17, 200, 1500})
    void correlationsAgreeWithCommonsMath(int n) {
        Random r = new Random(n);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.round(r.nextDouble() * 10) / 2.0; // many ties, like STS-B's 0..5 half steps
            y[i] = x[i] * 0.3 + r.nextGaussian();
        }
        if (n == 2) { x[0] = 1; x[1] = 2; }
        assertEquals(new PearsonsCorrelation().correlation(x, y), Metrics.pearson(x, y), 1e-12);
        SpearmansCorrelation ref = new SpearmansCorrelation(new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE));
        assertEquals(ref.correlation(x, y), Metrics.spearman(x, y), 1e-12);
        assertArrayEquals(new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(x), Metrics.averageRanks(x), 0);
    }

    /** MCC against the confusion-matrix formula computed here independently, on random binary and 3-class data. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void mccMatchesBinaryFormulaAndIsSymmetric(int seed) {
        Random r = new Random(seed);
        int n = 50 + 100 * seed;
        int[] p = new int[n], g = new int[n];
        long tp = 0, tn = 0, fp = 0, fn = 0;
        for (int i = 0; i < n; i++) {
            g[i] = r.nextInt(2);
            p[i] = r.nextDouble() < 0.7 ? g[i] : 1 - g[i];
            if (p[i] == 1 && g[i] == 1) tp++; else if (p[i] == 0 && g[i] == 0) tn++; else if (p[i] == 1) fp++; else fn++;
        }
        double ref = (tp * tn - fp * fn) / Math.sqrt((double) (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        assertEquals(ref, Metrics.matthews(p, g), 1e-12);
        assertEquals(Metrics.matthews(p, g), Metrics.matthews(g, p), 1e-12);
        double f1 = 2.0 * (tp / (double) (tp + fp)) * (tp / (double) (tp + fn)) / (tp / (double) (tp + fp) + tp / (double) (tp + fn));
        assertEquals(f1, Metrics.f1(p, g), 1e-12);
    }

    @Test
    void multiclassMccOfPermutedLabelsIsOneAndOfIndependentIsNearZero() {
        int[] g = {0, 1, 2, 0, 1, 2, 2, 1};
        assertEquals(1.0, Metrics.matthews(g.clone(), g), 1e-12);
        // worked by hand from the Gorodkin formula: c=3, s=6, p=t=(2,2,2): (18-12)/sqrt(24*24) = 0.25
        assertEquals(0.25, Metrics.matthews(new int[] {0, 1, 1, 2, 2, 0}, new int[] {0, 0, 1, 1, 2, 2}), 1e-12);
    }

    @Test
    void degenerateCases() {
        int[] gold = {1, 0, 1, 1, 0};
        int[] constant = {1, 1, 1, 1, 1};
        assertEquals(0.0, Metrics.matthews(constant, gold), "constant predictions: sklearn returns 0");
        assertEquals(0.0, Metrics.matthews(constant, constant), "one class only: sklearn returns 0");
        assertEquals(1.0, Metrics.accuracy(constant, constant));
        assertEquals(0.75, Metrics.f1(constant, gold), 1e-12); // P=3/5, R=1 -> 0.75
        assertTrue(Double.isNaN(Metrics.pearson(new double[] {2, 2, 2}, new double[] {1, 2, 3})), "scipy: constant input -> NaN");
        assertTrue(Double.isNaN(Metrics.spearman(new double[] {1, 2, 3}, new double[] {4, 4, 4})));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[2], new int[3]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.averageRanks(new double[] {1, Double.NaN}));
    }
}
