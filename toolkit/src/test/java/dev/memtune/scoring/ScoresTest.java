package dev.memtune.scoring;

import dev.memtune.metrics.Metric;
import static org.junit.jupiter.api.Assertions.*;

import dev.memtune.data.Tasks;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Per-task scores as the LST paper defines them, and the GLUE average. */
class ScoresTest {
    // gold [1,1,1,0], pred [1,1,0,0]: accuracy 3/4, F1 = 2*2/(2*2+0+1) = 0.8, MCC = (2*1-0*1)/sqrt(2*3*1*2) = 0.5774
    static final double[] P = {1, 1, 0, 0}, G = {1, 1, 1, 0};

    static Stream<Arguments> tasks() {
        return Stream.of(
                Arguments.of("cola", Metric.MCC, 2 / Math.sqrt(12)),
                Arguments.of("mrpc", Metric.F1_ACCURACY_MEAN, (0.75 + 0.8) / 2),
                Arguments.of("qqp", Metric.F1_ACCURACY_MEAN, (0.75 + 0.8) / 2),
                Arguments.of("rte", Metric.ACCURACY, 0.75),
                Arguments.of("sst2", Metric.ACCURACY, 0.75),
                Arguments.of("qnli", Metric.ACCURACY, 0.75),
                Arguments.of("mnli", Metric.ACCURACY, 0.75),
                Arguments.of("boolq", Metric.ACCURACY, 0.75),
                Arguments.of("copa", Metric.ACCURACY, 0.75));
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void taskScoreIsThePapersMainMetric(String task, Metric main, double expected) {
        TaskScore s = Scores.evaluate(Tasks.get(task), P, G);
        assertEquals(main, s.main());
        assertEquals(expected, s.score(), 1e-12);
        assertEquals(Tasks.get(task).metrics(), s.values().keySet().stream().toList());
    }

    @Test
    void stsbIsMeanOfPearsonAndSpearman() {
        double[] x = {1, 2, 3, 4, 5, 6, 7}, y = {10, 9, 2.5, 6, 4, 3, 2};
        TaskScore s = Scores.evaluate(Tasks.get("stsb"), x, y);
        assertEquals(-0.828503883588428, s.get(Metric.PEARSON), 1e-14); // SciPy docstring value
        assertEquals((s.get(Metric.PEARSON) + s.get(Metric.SPEARMAN)) / 2, s.score(), 1e-15);
        TaskScore constant = Scores.evaluate(Tasks.get("stsb"), new double[] {3, 3, 3}, new double[] {1, 2, 3});
        assertTrue(Double.isNaN(constant.score()));
        assertTrue(constant.toJson().get("score").isJsonNull(), "NaN is written as JSON null");
    }

    @Test
    void nonIntegralClassPredictionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Scores.evaluate(Tasks.get("rte"), new double[] {0.5}, new double[] {1}));
    }

    @Test
    void glueAverageIsMeanOfTheEightLstTasks() {
        Map<String, Double> s = new LinkedHashMap<>();
        double[] v = {0.6, 0.94, 0.9, 0.88, 0.9, 0.86, 0.92, 0.7};
        double sum = 0;
        for (int i = 0; i < 8; i++) { s.put(Tasks.GLUE_AVERAGE_TASKS.get(i), v[i]); sum += v[i]; }
        s.put("wnli", 0.0); // ignored
        assertEquals(sum / 8, Scores.glueAverage(s), 1e-15);
        Map<String, Double> partial = new HashMap<>(s);
        partial.remove("qqp");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scores.glueAverage(partial));
        assertTrue(e.getMessage().contains("qqp"), e.getMessage());
    }
}
