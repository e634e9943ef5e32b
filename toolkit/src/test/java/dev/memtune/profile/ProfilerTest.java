package dev.memtune.profile;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The child-JVM profiler end to end on tiny-bert: a measurement, an out-of-memory and a failure each reported as such. */
class ProfilerTest {
    @Test
    void measuresInAChildJvm() {
        ProfileResult r = MemoryProfiler.builder().optSteps(3).build().profile(Workload.of("tiny-bert", "lora", 2, 16));
        assertTrue(r.ok(), () -> r.status() + ": " + r.reason());
        assertEquals(4 * r.params(), r.weights());
        assertEquals(4 * r.trainable(), r.grads());
        assertEquals(8 * r.trainable(), r.optimizer());            // AdamW m and v
        assertTrue(r.peak() >= r.staticRss() && r.staticRss() > r.baselineRss(), r.json());
        assertEquals(2, r.stepTimes().size());
        assertTrue(r.tokensPerSecond() > 0);
        assertNotNull(r.estimate());
        assertTrue(r.estimate().activations() > 0);
        assertTrue(MemoryProfiler.table(java.util.List.of(r)).rowCount() == 1);
        assertNotNull(MemoryProfiler.chart(java.util.List.of(r)));
    }

    @Test
    void aChildAboveTheCapIsReportedAsOutOfMemoryWithItsBatch() {
        ProfileResult r = MemoryProfiler.builder().optMaxRss(64L << 20).build().profile(Workload.of("tiny-bert", "full", 3, 16));
        assertEquals("oom", r.status(), r.json());
        assertEquals(3, r.workload().batch());
        assertTrue(r.reason().contains("cap"), r.reason());
    }

    @Test
    void aFailingChildNamesTheReason() {
        ProfileResult r = MemoryProfiler.builder().build().profile(Workload.of("tiny-bert", "full", 2, 4096));
        assertEquals("failed", r.status());
        assertTrue(r.reason().contains("max_position_embeddings"), r.reason());
    }
}
