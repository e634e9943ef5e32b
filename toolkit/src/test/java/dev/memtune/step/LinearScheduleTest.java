package dev.memtune.step;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

/** Values of Hugging Face {@code get_linear_schedule_with_warmup(opt, 2, 10)} with base lr 1.0, written out by hand. */
class LinearScheduleTest {
    @ParameterizedTest(name = "step {0} -> {1}")
    @CsvSource({"0,0.0", "1,0.5", "2,1.0", "3,0.875", "6,0.5", "9,0.125", "10,0.0", "12,0.0"})
    void warmupThenDecay(long step, double lr) {
        assertEquals(lr, new LinearSchedule(1.0, 2, 10).lr(step), 1e-12);
    }

    @ParameterizedTest(name = "no warmup, step {0} -> {1}")
    @CsvSource({"0,1.0", "5,0.5", "9,0.1"})
    void noWarmup(long step, double lr) {
        assertEquals(lr, new LinearSchedule(1.0, 0, 10).lr(step), 1e-12);
    }
}
