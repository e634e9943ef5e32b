package dev.memtune.tables;

import dev.memtune.train.ExperimentResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.memtune.tables.ResultsCommandTest.fullOnRteAndMrpc;
import static dev.memtune.tables.ResultsCommandTest.result;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The score charts of the accuracy tables compare methods on the same tasks: each point is the mean
 * over the tasks every method ran (seeds averaged first), worked out by hand below. Before, a method
 * with four tasks was plotted at its four-task mean beside methods with one task.
 */
class AccuracyChartsTest {
    static double y(XYChart c, String series) {
        return c.getSeriesMap().get(series).getYData()[0];
    }

    @Test
    void pointsAverageTheTasksEveryMethodRan(@TempDir Path dir) throws IOException {
        List<ExperimentResult> rs = fullOnRteAndMrpc(dir);                            // full: rte 66.0, mrpc 88.0
        rs.add(result(dir, "lora", "mrpc", 42, 0.895, "{\"f1_accuracy_mean\": 0.895}"));
        rs.add(result(dir, "lst", "rte", 42, 0.60, "{\"accuracy\": 0.60}"));
        rs.add(result(dir, "lst", "mrpc", 42, 0.78, "{\"f1_accuracy_mean\": 0.78}"));
        rs.add(result(dir, "lst", "mrpc", 43, 0.82, "{\"f1_accuracy_mean\": 0.82}"));
        var runs = new AccuracyTables.Runs("glue", "bert-base", "committed", rs, Map.of());
        for (XYChart c : List.of(AccuracyTables.scoreVsShare(runs), AccuracyTables.tradeoff(runs))) {
            // only mrpc is common to all three: full 88.0 (not (66 + 88) / 2 = 77), lora 89.5, lst mean(78, 82) = 80.0
            assertEquals(88.0, y(c, "full"), 1e-9);
            assertEquals(89.5, y(c, "lora"), 1e-9);
            assertEquals(80.0, y(c, "lst"), 1e-9);
            assertEquals("test score x100, avg over mrpc", c.getYAxisTitle());
        }
    }

    @Test
    void withoutACommonTaskEachMethodsOwnTasksAndTheAxisSaysSo(@TempDir Path dir) throws IOException {
        List<ExperimentResult> rs = List.of(
                result(dir, "full", "rte", 42, 0.66, "{\"accuracy\": 0.66}"),
                result(dir, "full", "cola", 42, 0.60, "{\"mcc\": 0.60}"),
                result(dir, "bitfit", "stsb", 42, 0.85, "{\"pearson\": 0.85, \"spearman\": 0.85}"));
        XYChart c = AccuracyTables.scoreVsShare(new AccuracyTables.Runs("glue", "bert-base", "committed", rs, Map.of()));
        assertEquals(63.0, y(c, "full"), 1e-9);
        assertEquals(85.0, y(c, "bitfit"), 1e-9);
        assertTrue(c.getYAxisTitle().contains("none common"), c.getYAxisTitle());
    }
}
