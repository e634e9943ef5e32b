package dev.memtune.sweep;

import dev.memtune.train.RunExecutor;
import dev.memtune.train.RunExecutor.Outcome;
import dev.memtune.train.RunExecutor.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A table's runs through Spark ({@link RunExecutor} with a master set, as {@code AccuracyTables.run}
 * uses it): the provider is found on the class path, outcomes come back in the caller's order with the
 * result files the child JVMs wrote, and a run that fails every time is an outcome, not an exception.
 */
class SparkRunExecutorTest {
    @Test
    void theSparkProviderHandlesSparkMastersOnly() {
        assertInstanceOf(SparkRunExecutor.class, RunExecutor.forMaster("local[1]"));
        assertInstanceOf(SparkRunExecutor.class, RunExecutor.forMaster("spark://127.0.0.1:7077"));
        assertEquals("this JVM", RunExecutor.forMaster("").describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunExecutor.forMaster("mesos://x:5050"));
        assertTrue(e.getMessage().contains("memtune.master=mesos://x:5050"), e.getMessage());
    }

    @Test
    void runsComeBackInOrderWithTheirResultsAndFailuresAsOutcomes(@TempDir Path dir) throws Exception {
        GridTest.project(dir);
        Path c = dir.resolve("reproduce/configs/t");
        Path out = dir.resolve("shared-out");
        RunExecutor ex = new SparkRunExecutor("local[1]", Sweep.builder().optRoot(dir).optMaxFailures(2).optThreads(1)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).optChildJavaOpts(List.of("-Xmx128m")).optTick(1));
        List<Run> runs = List.of(new Run(c.resolve("lora.json"), "rte", 43, "smoke"), new Run(c.resolve("broken.json"), "rte", 42, "smoke"),
                new Run(c.resolve("full.json"), "rte", 42, "smoke"));
        List<Outcome> o = ex.execute(runs, out);

        assertEquals(runs, o.stream().map(Outcome::run).toList());
        assertEquals(0.043, o.get(0).result().testScore(), "FakeTrain scores seed/1000");
        assertEquals(out.resolve("results/t/lora/rte/seed43.json"), o.get(0).result().file());
        assertEquals(0.042, o.get(2).result().testScore());
        assertNull(o.get(1).result());
        assertFalse(o.get(1).missingData());
        assertTrue(o.get(1).error().contains("local[1]") && o.get(1).error().contains("2 attempts") && o.get(1).error().contains("exited with status 3"),
                o.get(1).error());

        Path outside = dir.resolve("elsewhere.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ex.execute(List.of(new Run(outside, "rte", 42, "smoke")), out));
        assertTrue(e.getMessage().contains(outside.toString()), e.getMessage());
    }
}
