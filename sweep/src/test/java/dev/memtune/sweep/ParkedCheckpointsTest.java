package dev.memtune.sweep;

import com.google.gson.JsonParser;
import dev.memtune.weights.HostTensor;
import dev.memtune.weights.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.memtune.sweep.SweepTest.git;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memtune sweep --park} and the restore before a cell runs: a checkpoint parked in one checkout
 * reaches a fresh clone byte for byte and is what that clone's run resumes from (the child's own hash of
 * the file it found, {@link FakeTrain}); the commit of the result removes it; the further-along of two
 * checkpoints wins; one over the size limit stays where it is.
 */
class ParkedCheckpointsTest {
    /** A checkpoint folder as the trainer writes one: tensors plus its state in the metadata. */
    static void checkpoint(Path dir, long step, int epoch, double seconds, float value) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("param/w", new HostTensor(new long[]{2, 3}, new float[]{value, 1, 2, 3, 4, 5}));
        t.put("exp_avg/w", new HostTensor(new long[]{2, 3}, new float[6]));
        SafeTensors.write(dir.resolve("checkpoint.safetensors"), t, Map.of("format", "memtune-checkpoint-1",
                "state", "{\"epoch\": " + epoch + ", \"globalStep\": " + step + ", \"seconds\": " + seconds + "}"));
        SafeTensors.write(dir.resolve("best.safetensors"), Map.of("param/w", t.get("param/w")), Map.of("best_epoch", "1"));
    }

    static Cell cell(String resultPath) {
        return new Cell(0, "t/lora.json", "rte", 42, "smoke", new LinkedHashMap<>(), resultPath);
    }

    @Test
    void aParkedCheckpointReachesAFreshCloneAndItsRunResumesFromIt(@TempDir Path dir) throws Exception {
        Path repo = dir.resolve("repo");
        SweepTest.gitProject(repo);
        Path g = GridTest.grid(repo, """
                {"scale": "smoke", "groups": [{"configs": ["t/lora.json", "t/full.json"], "tasks": ["rte"], "seeds": [42]}]}""");
        Path finished = repo.resolve("reproduce/results/runs/t/lora/rte/seed43.json");      // gives the estimate a rate
        Files.createDirectories(finished.getParent());
        Files.writeString(finished, """
                {"table": "t", "config_id": "lora", "method": "lora", "task": "rte", "backbone": "tiny-bert", "scale": "smoke", "seed": 43,
                 "config": {"train": {"max_train_samples": 0}}, "data": {"train": 100}, "epochs": [{}, {}], "wall_seconds": 4000}""");
        git(repo, "add", "reproduce", "grid.json");
        git(repo, "commit", "-q", "-m", "configs");
        Path ckpt = repo.resolve("out/checkpoints/t/lora/rte/seed42");
        Files.createDirectories(ckpt);
        checkpoint(ckpt, 633, 0, 1098, 0.5f);                              // in its first epoch: the estimate less its time
        String sha = FakeTrain.sha256(ckpt.resolve("checkpoint.safetensors"));

        Sweep here = Sweep.builder().optRoot(repo).optOut(repo.resolve("out")).build();
        assertEquals(List.of("t/lora rte seed42: parked: lora on rte, seed 42 at step 633 (epoch 1, 18.3 min trained)"), here.park(here.load(g, null)));
        assertEquals("parked: lora on rte, seed 42 at step 633 (epoch 1, 18.3 min trained)\n"
                        + "reproduce/results/parked/t/lora/rte/seed42/best.safetensors\nreproduce/results/parked/t/lora/rte/seed42/checkpoint.safetensors",
                git(repo, "log", "-1", "--format=%s", "--name-only").replaceAll("\n+", "\n").strip(), "the commit holds the checkpoint folder alone");
        for (String f : ParkedCheckpoints.FILES)
            assertEquals(-1, Files.mismatch(ckpt.resolve(f), repo.resolve("reproduce/results/parked/t/lora/rte/seed42").resolve(f)));
        assertEquals(List.of("t/lora rte seed42: already parked at step 633 (epoch 1, 18.3 min trained)"), here.park(here.load(g, null)));
        assertEquals(2, git(repo, "log", "--format=%s").strip().lines().count(), "parking the same checkpoint again commits nothing");

        Path clone = dir.resolve("clone");
        git(dir, "clone", "-q", repo.toString(), clone.toString());
        git(clone, "config", "user.email", "t@example.org");
        git(clone, "config", "user.name", "t");
        Sweep there = Sweep.builder().optRoot(clone).optOut(clone.resolve("out")).optMaster("local[1]").optCommit(true)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).optChildJavaOpts(List.of("-Xmx128m")).optTick(1).build();
        assertEquals("step 633 (epoch 1, 18.3 min trained) from the parked checkpoint", there.resumesAt(there.plan(there.load(g, null)).get(0).cell()));
        assertNull(there.resumesAt(there.plan(there.load(g, null)).get(1).cell()), "t/full has nothing to resume");
        var plan = there.plan(there.load(g, null));
        double whole = dev.memtune.train.RunTimes.of(dev.memtune.train.Results.load(clone.resolve("reproduce/results/runs")))
                .estimate(plan.get(0).configId(), plan.get(0).settings()).getAsDouble();
        assertTrue(whole > 1098, "the whole run takes " + whole + " s");
        assertEquals(whole - 1098, there.estimates(plan).get(0), 1e-6, "the estimate leaves out the 18.3 min the parked checkpoint trained");
        SweepReport r = there.run(there.load(g, null));
        assertEquals(List.of("done", "done"), r.rows().stream().map(SweepReport.Row::status).toList());
        assertEquals(sha, JsonParser.parseString(Files.readString(clone.resolve("out/results/t/lora/rte/seed42.json"))).getAsJsonObject()
                .get("resumed_sha256").getAsString(), "the clone's run resumed from the very bytes parked in the first checkout");
        assertFalse(JsonParser.parseString(Files.readString(clone.resolve("out/results/t/full/rte/seed42.json"))).getAsJsonObject().has("resumed_sha256"));
        // the result's commit removes the parked checkpoint
        assertEquals("results: lora on rte, seed 42: validation 42.0, test 4.2\nreproduce/results/parked/t/lora/rte/seed42/best.safetensors\n"
                        + "reproduce/results/parked/t/lora/rte/seed42/checkpoint.safetensors\nreproduce/results/runs/t/lora/rte/seed42.json",
                git(clone, "log", "-1", "--skip=1", "--format=%s", "--name-only").replaceAll("\n+", "\n").strip());
        assertEquals("", git(clone, "ls-files", "reproduce/results/parked").strip());
        assertEquals("", git(clone, "status", "--porcelain", "--untracked-files=no").strip());
    }

    @Test
    void aResumedCellGoesOnAtItsOwnPaceOnceAnEpochIsBehindIt() {
        // 633 of 780 steps in 1098 s, epoch 2 in progress: 147 steps left at 1098 / 633 = 1.73 s each, 255 s
        assertEquals(254.99, Sweep.toGo(OptionalDouble.of(10000), 633, 1, 1098, OptionalLong.of(780)), 0.01);
        // still in its first epoch (no evaluation behind it yet): the whole run's estimate less the 66 s trained
        assertEquals(9934, Sweep.toGo(OptionalDouble.of(10000), 8, 0, 66, OptionalLong.of(780)), 1e-9);
        assertEquals(8902, Sweep.toGo(OptionalDouble.of(10000), 633, 1, 1098, OptionalLong.empty()), 1e-9, "steps not known");
        assertEquals(0, Sweep.toGo(OptionalDouble.of(10000), 780, 9, 6000, OptionalLong.of(780)), "at its last step");
        assertTrue(Double.isNaN(Sweep.toGo(OptionalDouble.empty(), 8, 0, 66, OptionalLong.of(780))));
    }

    @Test
    void theFurtherAlongCheckpointWinsAndATooLargeOneIsNotParked(@TempDir Path dir) throws Exception {
        SweepTest.gitProject(dir);
        Cell c = cell("results/t/lora/rte/seed42.json");
        ParkedCheckpoints p = new ParkedCheckpoints(dir, dir.resolve("out"));
        assertNull(p.restore(c), "nothing parked");
        Files.createDirectories(p.parked(c));
        Files.createDirectories(p.local(c));
        checkpoint(p.parked(c), 7, 0, 60, 7f);
        checkpoint(p.local(c), 9, 0, 80, 9f);
        assertTrue(p.restore(c).startsWith("resumes from its own checkpoint at step 9"));
        assertEquals(9, ParkedCheckpoints.step(p.local(c)), "this folder's further-along checkpoint is kept");
        checkpoint(p.local(c), 5, 0, 40, 5f);
        assertTrue(p.restore(c).startsWith("resumes from the parked checkpoint reproduce/results/parked/t/lora/rte/seed42 at step 7"));
        for (String f : ParkedCheckpoints.FILES) assertEquals(-1, Files.mismatch(p.parked(c).resolve(f), p.local(c).resolve(f)));

        long size = Files.size(p.local(c).resolve("checkpoint.safetensors")) + Files.size(p.local(c).resolve("best.safetensors"));
        ParkedCheckpoints small = new ParkedCheckpoints(dir, dir.resolve("out"), size - 1);
        checkpoint(p.local(c), 12, 1, 100, 12f);
        String r = small.park(c, ResultCommit.at(dir));
        assertTrue(r.startsWith("not parked: " + p.local(c)) && r.contains("over the " + (size - 1)), r);
        assertEquals(7, ParkedCheckpoints.step(p.parked(c)), "the parked one is left as it was");
        assertEquals("0", git(dir, "rev-list", "--all", "--count").strip(), "nothing was committed");

        Cell variant = new Cell(0, "t/lora.json", "rte", 42, "smoke", new LinkedHashMap<>(Map.of("train.learning_rate", "1e-4")),
                "variants/x/results/t/lora/rte/seed42.json");
        assertNull(p.park(variant, ResultCommit.at(dir)), "cells with overrides are not parked (their results are not committed either)");
    }
}
