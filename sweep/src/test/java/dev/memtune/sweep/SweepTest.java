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

    @Test
    void commitPutsEachFinishedResultInTheRepositoryAsACommitOfItsOwn(@TempDir Path dir) throws Exception {
        gitProject(dir);
        git(dir, "add", "reproduce");
        git(dir, "commit", "-q", "-m", "configs");
        Files.writeString(dir.resolve("notes.txt"), "staged, not the sweep's to commit");
        git(dir, "add", "notes.txt");
        Path g = GridTest.grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json", "t/broken.json", "t/lora.json"], "tasks": ["rte"], "seeds": [42]}]}""");
        Path out = dir.resolve("out");
        Sweep s = Sweep.builder().optRoot(dir).optOut(out).optMaster("local[1]").optMaxFailures(1).optCommit(true)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).optChildJavaOpts(List.of("-Xmx128m")).optTick(1).build();
        SweepReport r = s.run(s.load(g, null));
        assertEquals(List.of("done", "failed", "done"), r.rows().stream().map(SweepReport.Row::status).toList());

        // git's own log: one commit per finished cell, each holding its result file alone, in grid order
        // (FakeTrain's results carry no scale or machine time: the message leaves them out)
        assertEquals("results: lora on rte, seed 42: validation 42.0, test 4.2\nreproduce/results/runs/t/lora/rte/seed42.json\n"
                + "results: full on rte, seed 42: validation 42.0, test 4.2\nreproduce/results/runs/t/full/rte/seed42.json\n"
                + "configs\nreproduce/configs/t/broken.json\nreproduce/configs/t/full.json\nreproduce/configs/t/lora.json",
                git(dir, "log", "--format=%s", "--name-only").replaceAll("\n+", "\n").strip());
        for (String m : List.of("full", "lora"))
            assertEquals(Files.readString(out.resolve("results/t/" + m + "/rte/seed42.json")),
                    git(dir, "show", "HEAD" + (m.equals("full") ? "~1" : "") + ":reproduce/results/runs/t/" + m + "/rte/seed42.json"));
        assertEquals("A  notes.txt", git(dir, "status", "--porcelain", "--untracked-files=no").strip(), "what else was staged stays staged, uncommitted");

        SweepReport again = s.run(s.load(g, null));                      // reused from the committed files: no new commit
        assertEquals(List.of("reused", "failed", "reused"), again.rows().stream().map(SweepReport.Row::status).toList());
        assertEquals(3, git(dir, "log", "--format=%s").strip().lines().count());
    }

    @Test
    void commitAlsoTakesTheResultsAnEarlierSweepLeftInTheOutputFolder(@TempDir Path dir) throws Exception {
        gitProject(dir);
        Path g = GridTest.grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json"], "tasks": ["rte"], "seeds": [42, 43]}]}""");
        Path out = dir.resolve("out");
        Sweep.Builder b = Sweep.builder().optRoot(dir).optOut(out).optMaster("local[1]")
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).optChildJavaOpts(List.of("-Xmx128m")).optTick(1);
        Sweep plain = b.build();
        plain.run(plain.load(g, null));                                   // without --commit: results in out only
        assertFalse(Files.exists(dir.resolve("reproduce/results")));
        Sweep committing = b.optCommit(true).build();
        SweepReport r = committing.run(committing.load(g, null));
        assertEquals(List.of("reused", "reused"), r.rows().stream().map(SweepReport.Row::status).toList());
        assertEquals("results: full on rte, seed 43: validation 43.0, test 4.3\nresults: full on rte, seed 42: validation 42.0, test 4.2",
                git(dir, "log", "--format=%s").strip());
        assertEquals(Files.readString(out.resolve("results/t/full/rte/seed43.json")), git(dir, "show", "HEAD:reproduce/results/runs/t/full/rte/seed43.json"));
    }

    @Test
    void commitOutsideAGitWorkTreeFailsBeforeAnyCellRuns(@TempDir Path dir) throws Exception {
        GridTest.project(dir);
        Path g = GridTest.grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json"], "tasks": ["rte"], "seeds": [42]}]}""");
        Sweep s = Sweep.builder().optRoot(dir).optOut(dir.resolve("out")).optMaster("local[1]").optCommit(true)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(s.load(g, null)));
        assertTrue(e.getMessage().contains("--commit") && e.getMessage().contains(dir.toString()) && e.getMessage().contains("not inside a git work tree"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out/results")), "nothing ran");
    }

    /** {@link GridTest#project} in a fresh git repository with an identity of its own. */
    static void gitProject(Path dir) throws Exception {
        GridTest.project(dir);
        git(dir, "init", "-q");
        git(dir, "config", "user.email", "t@example.org");
        git(dir, "config", "user.name", "t");
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
