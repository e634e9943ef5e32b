package dev.memtune.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static dev.memtune.sweep.SweepTest.git;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memtune sweep --stop-at}: at the stop time the running cell's child gets SIGTERM, writes its
 * checkpoint and that checkpoint is parked in git; a cell that would not finish by then and whose
 * checkpoint is too large to park (full fine-tuning's, from the trainable parameters of a finished run)
 * is passed over while a later one runs; the cells whose turn comes after the stop time do not start.
 */
class StopAtTest {
    @Test
    void theRunningCellIsParkedAtTheStopTimeAndOneThatWouldNotFinishIsPassedOver(@TempDir Path dir) throws Exception {
        SweepTest.gitProject(dir);
        Files.writeString(dir.resolve("reproduce/configs/t/slow.json"), "{\"backbone\": \"tiny-bert\", \"method\": \"lora\", \"tasks\": [\"rte\"]}");
        finished(dir, "full", 110_000_000L);                                // 1.8 GB of checkpoint: not parked
        finished(dir, "lora", 300_000L);                                    // 4.8 MB: parked
        git(dir, "add", "reproduce");
        git(dir, "commit", "-q", "-m", "configs");
        Path g = GridTest.grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json", "t/lora.json", "t/slow.json"], "tasks": ["rte"], "seeds": [42]},
                                              {"configs": ["t/lora.json"], "tasks": ["rte"], "seeds": [43]}]}""");
        Instant stop = Instant.now().plusSeconds(40);                       // room for the LoRA cell's Spark task and child JVM on a loaded 2-core machine
        Sweep s = Sweep.builder().optRoot(dir).optOut(dir.resolve("out")).optMaster("local[1]").optCommit(true).optStopAt(stop)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).optChildJavaOpts(List.of("-Xmx128m")).optTick(1).build();
        var plan = s.plan(s.load(g, null));
        assertTrue(s.estimates(plan).get(0) > 60, "t/full's estimate is longer than the 40 s left");
        List<String> dry = List.copyOf(s.schedule(plan, Instant.now()).values());     // what --dry-run --stop-at says
        assertEquals(4, dry.size());
        assertTrue(dry.get(0).startsWith("passed over: would not finish before the stop time"), dry.get(0));
        assertTrue(dry.get(1).matches("runs from \\d\\d:\\d\\d until the stop time, then is parked \\([01] of its \\d+ min\\)"), dry.get(1));
        assertEquals(List.of("not reached: the stop time " + StopTime.clock(stop) + " comes first"), List.copyOf(new java.util.HashSet<>(dry.subList(2, 4))));
        SweepReport r = s.run(s.load(g, null));

        assertFalse(Instant.now().isBefore(stop));
        assertEquals(List.of("not started", "done", "stopped", "not started"), r.rows().stream().map(SweepReport.Row::status).toList());
        String full = r.rows().get(0).error();
        assertTrue(full.contains("would not finish before the stop time") && full.contains("(~1760 MB) is too large to park"), full);
        assertTrue(r.rows().get(3).error().contains("came first"), r.rows().get(3).error());
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "the stopped child has exited");
        assertEquals("parked: slow on rte, seed 42 at step 5 (epoch 1, 0.5 min trained)\n"
                        + "reproduce/results/parked/t/slow/rte/seed42/best.safetensors\nreproduce/results/parked/t/slow/rte/seed42/checkpoint.safetensors\n"
                        + "results: lora on rte, seed 42: validation 42.0, test 4.2\nreproduce/results/runs/t/lora/rte/seed42.json",
                git(dir, "log", "-2", "--format=%s", "--name-only").replaceAll("\n+", "\n").strip());
        for (String f : ParkedCheckpoints.FILES)
            assertEquals(-1, Files.mismatch(dir.resolve("out/checkpoints/t/slow/rte/seed42").resolve(f), dir.resolve("reproduce/results/parked/t/slow/rte/seed42").resolve(f)));
        assertFalse(Files.exists(dir.resolve("out/results/t/full")), "t/full never started");

        Sweep late = Sweep.builder().optRoot(dir).optOut(dir.resolve("out")).optMaster("local[1]").optCommit(true).optStopAt(stop)
                .optChild(System.getProperty("java.class.path"), FakeTrain.class.getName()).build();
        SweepReport next = late.run(late.load(g, null));                   // the next grid of a chain, after the stop time
        assertEquals(List.of("not started", "reused", "not started", "not started"), next.rows().stream().map(SweepReport.Row::status).toList());
        assertEquals("parked: slow on rte, seed 42 at step 5 (epoch 1, 0.5 min trained)", git(dir, "log", "-1", "--format=%s").strip(), "nothing ran, nothing new committed");
    }

    @Test
    void stopTimesAreReadAsATimeOfDayOrADuration() {
        Instant now = Instant.parse("2026-12-07T03:10:00Z");
        assertEquals(Instant.parse("2026-12-07T03:40:00Z"), StopTime.parse("03:40", null, now, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-08T03:00:00Z"), StopTime.parse("03:00", null, now, ZoneOffset.UTC), "a time already past is tomorrow's");
        assertEquals(Instant.parse("2026-12-07T04:00:00Z"), StopTime.parse("05:00", null, now, ZoneId.of("Europe/Berlin")), "in the machine's zone");
        assertEquals(Instant.parse("2026-12-07T03:00:00Z"), StopTime.parse("2026-12-07T03:00", null, now, ZoneOffset.UTC), "a date and time is taken as given");
        assertEquals(Instant.parse("2026-12-07T05:40:00Z"), StopTime.parse(null, "2h30m", now, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-07T03:10:45Z"), StopTime.parse(null, "45s", now, ZoneOffset.UTC));
        assertNull(StopTime.parse(null, null, now, ZoneOffset.UTC));
        for (String[] bad : new String[][]{{"3.40", null, "--stop-at expects a time of day HH:MM"}, {"2026-12-07T3:40", null, "or a date and time"}, {null, "2 hours", "--stop-after expects a duration"},
                {null, "0m", "longer than 0"}, {"03:40", "1h", "not both"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StopTime.parse(bad[0], bad[1], now, ZoneOffset.UTC));
            assertTrue(e.getMessage().contains(bad[2]) && e.getMessage().contains(bad[0] != null ? bad[0] : bad[1]), e.getMessage());
        }
    }

    /** A finished run of {@code t/<method>} on RTE (seed 41) that gives the estimate a rate and the trainable parameters. */
    private static void finished(Path dir, String method, long trainable) throws Exception {
        Path f = dir.resolve("reproduce/results/runs/t/" + method + "/rte/seed41.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, """
                {"table": "t", "config_id": "%s", "method": "%s", "task": "rte", "backbone": "tiny-bert", "scale": "smoke", "seed": 41,
                 "config": {"train": {"max_train_samples": 0}}, "data": {"train": 100}, "epochs": [{}, {}], "wall_seconds": 4000,
                 "trainable_params": %d}""".formatted(method, method, trainable));
    }
}
