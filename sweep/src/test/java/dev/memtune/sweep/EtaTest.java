package dev.memtune.sweep;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sweep's running ETA, worked by hand: what the dry run estimates for each cell left, less what the
 * running cell has done, where the mean of this sweep's finished cells used to stand for every cell (a
 * resumed cell that finished in an hour made a grid of 2-3 hour cells look half as long as it was).
 */
class EtaTest {
    @Test
    void eachCellLeftCountsItsOwnEstimateLessWhatItHasRun() {
        Map<Integer, Double> est = Map.of(1, 3600.0, 2, 1800.0);
        Map<Integer, Double> run = Map.of(1, 600.0);
        assertEquals(3000 + 1800 + 1200, Sweep.eta(List.of(1, 2, 3), est, run, 1200, 1), 1e-9, "cell 3 has no estimate: this sweep's mean cell");
        assertEquals(3000 + 1800, Sweep.eta(List.of(1, 2), est, run, Double.NaN, 1), 1e-9, "no finished cell needed when every cell has an estimate");
        assertEquals((3000 + 1800 + 1200) / 2.0, Sweep.eta(List.of(1, 2, 3), est, run, 1200, 2), 1e-9, "two cells at a time");
    }

    @Test
    void aCellPastItsEstimateCountsZeroAndACellWithNothingToGoOnMakesItUnknown() {
        assertEquals(0, Sweep.eta(List.of(1), Map.of(1, 100.0), Map.of(1, 500.0), Double.NaN, 1));
        assertTrue(Double.isNaN(Sweep.eta(List.of(1, 2), Map.of(1, 100.0), Map.of(), Double.NaN, 1)));
        assertEquals(0, Sweep.eta(List.of(), Map.of(), Map.of(), Double.NaN, 1), "nothing left");
    }
}
