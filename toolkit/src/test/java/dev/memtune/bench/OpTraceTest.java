package dev.memtune.bench;

import dev.memtune.profile.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class OpTraceTest {
    /** Self times of a hand-made trace, worked out by hand: a nested call's time is its caller's total, not its self. */
    @Test
    void selfTimeSubtractsNestedCallsOnTheSameThreadOnly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.json");
        Files.writeString(f, """
                {"traceEvents": [
                  {"name": "aten::linear", "ph": "X", "ts": 0, "dur": 100, "pid": 1, "tid": 1},
                  {"name": "aten::addmm", "ph": "X", "ts": 10, "dur": 40, "pid": 1, "tid": 1},
                  {"name": "aten::copy_", "ph": "X", "ts": 20, "dur": 5, "pid": 1, "tid": 1},
                  {"name": "aten::addmm", "ph": "X", "ts": 50, "dur": 10, "pid": 1, "tid": 1},
                  {"name": "aten::addmm", "ph": "X", "ts": 30, "dur": 30, "pid": 1, "tid": 2},
                  {"name": "meta", "ph": "M", "pid": 1, "tid": 1}
                ]}""");
        Map<String, OpTrace.Op> ops = OpTrace.summarize(f).stream().collect(Collectors.toMap(OpTrace.Op::name, o -> o));
        assertEquals(50, ops.get("aten::linear").selfUs(), 1e-9);          // 100 - 40 - 10
        assertEquals(3, ops.get("aten::addmm").calls());
        assertEquals(35 + 10 + 30, ops.get("aten::addmm").selfUs(), 1e-9); // 40 - 5, 10, and the other thread's 30
        assertEquals(80, ops.get("aten::addmm").totalUs(), 1e-9);
        assertEquals(5, ops.get("aten::copy_").selfUs(), 1e-9);
        assertEquals("aten::addmm", OpTrace.summarize(f).get(0).name());
    }

    /** A real trace of one tiny-bert step from DJL's profiler: matrix products and autograd nodes are in it, self <= wall. */
    @Test
    void traceOfARealStep(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("step.json");
        long t0 = System.nanoTime();
        StepBench.trace(Workload.of("tiny-bert", "full", 2, 8), 1, f, true);
        double wallUs = (System.nanoTime() - t0) / 1e3;
        List<OpTrace.Op> ops = OpTrace.summarize(f);
        assertTrue(ops.stream().anyMatch(o -> o.name().equals("aten::mm") || o.name().equals("aten::addmm")), "no matrix product in " + ops);
        assertTrue(ops.stream().anyMatch(o -> o.name().contains("Backward")), "no autograd node in the trace");
        double self = ops.stream().mapToDouble(OpTrace.Op::selfUs).sum();
        assertTrue(self > 0 && self < 2 * wallUs, "self " + self + " us against wall " + wallUs + " us (two threads at most)");
        assertEquals(7, OpTrace.table(ops, 5).lines().count());
    }
}
