package dev.memtune.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sweep on Spark in local mode with {@link FakeTrain} as each cell's child JVM: a cell that fails
 * every time is reported after its retries while the others complete, results come back to the output
 * folder, thread settings reach the child, and a rerun reuses every result without starting a task.
 */
class SweepTest {
    @Test
    void aCellThatAlwaysFailsIsReportedAfterItsRetriesWhileTheOthersComplete(@TempDir Path dir) throws Exception {
        GridTest.project(dir);
        Path g = GridTest.grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json", "t/broken.json", "t/lora.json"], "tasks": ["rte"], "seeds": [42, 43]}]}""");
        Path out = dir.resolve("out");
        Sweep s = Sweep.builder().optRoot(dir).optOut(out).optMaster("local[2]").optMaxFailures(3).optThreads(0)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).optChildJavaOpts(List.of("-Xmx128m")).optTick(1).build();
        SweepReport r = s.run(s.load(g, null));

        assertEquals(List.of("done", "done", "failed", "failed", "done", "done"), r.rows().stream().map(SweepReport.Row::status).toList());
        for (SweepReport.Row f : r.failed()) {
            assertEquals(3, f.attempts(), "spark.task.maxFailures attempts: " + f);
            assertTrue(f.error().contains("t/broken rte seed" + f.cell().seed()) && f.error().contains("exited with status 3"), f.error());
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);        // local[2]: the cores shared by 2 cells
        for (SweepReport.Row d : r.rows()) {
            if (!d.status().equals("done")) continue;
            assertEquals(1, d.attempts());
            Path file = out.resolve("results/t/" + d.cell().config().substring(2).replace(".json", "") + "/rte/seed" + d.cell().seed() + ".json");
            assertEquals(file.toString(), d.source());
            JsonObject j = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            assertEquals(d.cell().seed() / 100.0, d.validation());
            assertEquals(d.cell().seed() / 1000.0, d.test());
            assertEquals(Integer.toString(threads), j.get("omp_num_threads").getAsString());
            assertEquals(Integer.toString(threads), j.get("djl_num_threads").getAsString());
            assertEquals(dir.toRealPath().toString(), Path.of(j.get("working_dir").getAsString()).toRealPath().toString(), "cells run in the project root");
        }
        assertEquals(6, r.table().rowCount());
        assertEquals(2, r.retried(), "the two broken cells took more than one attempt");
        assertTrue(Files.isRegularFile(out.resolve("sweep/grid.json")));
        assertTrue(Files.readString(out.resolve("sweep-logs/results/t/broken/rte/seed42.attempt2.log")).contains("boom"), "each attempt's output is kept");

        SweepReport again = s.run(s.load(g, null));
        assertEquals(List.of("reused", "reused", "failed", "failed", "reused", "reused"), again.rows().stream().map(SweepReport.Row::status).toList());
        assertEquals(0, again.rows().stream().filter(x -> x.status().equals("reused")).mapToInt(SweepReport.Row::attempts).sum(), "reused cells start no task");
    }
}
