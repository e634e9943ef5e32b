package dev.memtune.sweep;

import dev.memtune.cli.Args;
import dev.memtune.cli.NamedCommand;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.*;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code memtune sweep}: a grid of experiments on Apache Spark, locally or on a cluster. */
public final class SweepCommand implements NamedCommand {
    @Override
    public String name() { return "sweep"; }

    @Override
    public Set<String> flags() { return Set.of("dry-run", "commit", "park"); }

    @Override
    public String summary() { return "run a grid of experiments (configs x tasks x seeds) on Apache Spark, local or a cluster"; }

    @Override
    public String usage() {
        return """
                usage: memtune sweep --grid FILE [--master local[N]|spark://HOST:PORT] [--out DIR] [--dry-run]
                                     [--scale smoke|cpu|paper] [--threads N] [--max-failures N] [--conf key=value ...] [--commit]
                                     [--stop-at HH:MM | --stop-after DURATION]
                       memtune sweep --grid FILE --park [--out DIR]

                Expands a grid file (reproduce/grids/*.json: groups of configs x tasks x seeds x overrides)
                into cells and runs each as one Spark task: memtune train in a child JVM on an executor.
                A cell whose result exists with the same settings (in DIR or reproduce/results/runs/) is
                not run; a failing cell is retried (--max-failures, Spark's spark.task.maxFailures,
                default 4) and resumes from its checkpoint when DIR is shared by the workers.
                Progress (done, running, failed, ETA: the cells left at their --dry-run estimates) goes to
                stderr; at the end a table of every cell, the report DIR/sweep/<grid>.json, and exit status 1
                naming the cells that failed.

                --master     local[1] (default; one cell at a time with every core), local[N], spark://HOST:PORT,
                             or whatever spark-submit set
                --out        results, checkpoints and logs (default reproduce/out); on a cluster a folder
                             every worker sees at the same path
                --threads    threads per cell (default: cores / N on local[N], spark.task.cpus on a cluster)
                --scale      replaces the grid file's scale
                --conf       any Spark setting, e.g. --conf spark.task.cpus=2
                --commit     copy each finished cell's result into reproduce/results/runs/ and git-commit that file
                             alone as it lands (a grid longer than a session loses at most the cell in progress);
                             cells with overrides stay in DIR; the same commit removes the cell's parked checkpoint
                --park       after a sweep has stopped: copy the checkpoint of each unfinished cell from DIR/checkpoints/
                             to reproduce/results/parked/ and git-commit it, so that a fresh checkout on any machine
                             resumes it (a sweep copies a parked checkpoint back before the cell starts; the commit
                             of the cell's result removes it); checkpoints over 64 MB (full fine-tuning) stay in DIR
                --stop-at    end the sweep at this time: HH:MM (the next such time of day) or 2026-12-07T03:40 (that
                             one, even when past: then nothing starts), in this machine's zone. The running
                             cells write their checkpoints and stop (with --commit they are parked, as --park does),
                             the others do not start; before then, a cell that would not finish in the time left
                             (its estimate, as --dry-run's) and whose checkpoint is too large to park (full
                             fine-tuning) is passed over for later cells that fit. Exit status 0: it is not a failure
                --stop-after the same, a duration from now: 2h30m, 90m, 45s
                --dry-run    list the cells, what would happen to each and, for a cell to run, the time it
                             should take here (from the finished runs of its method and task); start nothing.
                             With --stop-at/--stop-after: also when each cell would run, one at a time, at its estimate

                example: reproduce/memtune sweep --grid reproduce/grids/glue-bert-base.json --dry-run
                         reproduce/memtune sweep --grid reproduce/grids/glue-bert-base.json --commit --stop-after 2h30m
                         reproduce/memtune sweep --grid reproduce/grids/glue-bert-base.json --master spark://head:7077 --out /shared/memtune-out
                """;
    }

    @Override
    public int run(Args a) {
        Path file = Path.of(a.require("grid"));
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("memtune sweep: grid file " + file + " does not exist");
        Sweep.Builder b = Sweep.builder();
        if (a.has("master")) b.optMaster(a.get("master", null));
        if (a.has("out")) b.optOut(Path.of(a.get("out", null)));
        b.optThreads(a.getInt("threads", 0)).optMaxFailures(a.getInt("max-failures", 0));
        for (String kv : a.all("conf")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("memtune sweep: --conf expects key=value, got '" + kv + "'");
            b.optConf(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        String scale = a.get("scale", null);
        boolean dry = a.flag("dry-run"), park = a.flag("park");
        if (dry && park) throw new IllegalArgumentException("memtune sweep: --park and --dry-run do not go together");
        b.optCommit(a.flag("commit"));
        Instant stop = StopTime.parse(a.get("stop-at", null), a.get("stop-after", null), Instant.now(), ZoneId.systemDefault());
        if (stop != null && park) throw new IllegalArgumentException("memtune sweep: --stop-at/--stop-after go with a sweep that runs or a dry run, not with --park");
        b.optStopAt(stop);
        a.rejectUnknown();
        Sweep sweep = b.build();
        Grid grid = sweep.load(file, scale);
        if (park) {
            List<String> lines = sweep.park(grid);
            lines.forEach(System.out::println);
            System.out.printf("%s: %d unfinished cell(s) with a checkpoint%n", file, lines.size());
            return 0;
        }
        if (dry) {
            var plan = sweep.plan(grid);
            SweepReport r = sweep.dryRun(grid, plan);
            System.out.printf("%s: %d cells (%d listed twice, run once), scale %s, master %s; %d to run, %d reused%n",
                    file, grid.cells().size(), grid.duplicates(), grid.scale, r.master(), r.count("planned"), r.count("reused"));
            Map<Integer, Double> est = sweep.estimates(plan);
            Map<Integer, String> session = sweep.schedule(plan, Instant.now());
            for (SweepReport.Row row : r.rows()) {
                Double s = est.get(row.cell().index());
                String resume = row.status().equals("planned") ? sweep.resumesAt(row.cell()) : null;
                String until = session.get(row.cell().index());
                System.out.printf("  %3d  %-7s  %s%s%n         -> %s%n", row.cell().index(), row.status(), row.cell().label(),
                        s == null ? (row.status().equals("planned") ? "  (no estimate: no finished run of this method or task here)" : "")
                                : String.format(Locale.ROOT, "  ~%.0f min%s", s / 60, resume == null ? "" : " to go"), row.source()
                                + (resume == null ? "" : "\n         resumes at " + resume) + (until == null ? "" : "\n         with --stop-at " + StopTime.clock(stop) + ": " + until));
            }
            double total = est.values().stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf(Locale.ROOT, "estimated time of the %d cells to run with an estimate: %.1f h on this machine (%d without one); "
                    + "from the rates of the finished runs of the same method and task (memtune's RunTimes)%n", est.size(), total / 3600, r.count("planned") - est.size());
            return 0;
        }
        ProgressListener line = e -> { if (e.task().equals(Sweep.PROGRESS)) System.err.println(e.line()); };
        Progress.addListener(line);
        SweepReport r;
        try {
            r = sweep.run(grid);
        } finally {
            Progress.removeListener(line);
        }
        System.out.println(r.table().printAll());
        System.out.printf("sweep %s on %s: %d cells, %d trained, %d reused, %d failed, %d retried, %d workers%s; %.0f s (Spark start %.1f s, overhead %.2f s per cell); report %s%n",
                grid.name(), r.master(), r.rows().size(), r.count("done"), r.count("reused"), r.count("failed"), r.retried(), r.workers(),
                stop == null ? "" : String.format(", %d stopped at %s, %d not started", r.count(Sweep.STOPPED), StopTime.clock(stop), r.count(Sweep.NOT_STARTED)),
                r.wallSeconds(), r.sparkStartSeconds(), r.overheadPerCell(), sweep.out().resolve("sweep").resolve(grid.name() + ".json"));
        List<SweepReport.Row> failed = r.failed();
        if (failed.isEmpty()) return 0;
        System.err.println("memtune sweep: " + failed.size() + " cell(s) failed:");
        for (SweepReport.Row f : failed) System.err.println("  " + f.cell().index() + " " + f.cell().label() + ": " + f.error());
        return 1;
    }
}
