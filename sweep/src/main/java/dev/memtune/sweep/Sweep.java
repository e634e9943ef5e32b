package dev.memtune.sweep;

import com.google.gson.*;
import dev.memtune.data.Tasks;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;
import dev.memtune.train.ExperimentConfig;
import dev.memtune.train.ExperimentResult;
import dev.memtune.train.Experiments;
import dev.memtune.train.Results;
import dev.memtune.train.RunTimes;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.*;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a {@link Grid} on Apache Spark: every cell that has no result yet becomes one Spark job of one
 * task ({@link CellTask}: {@code memtune train} in a child JVM on an executor), so a cell that fails
 * after its retries ({@code spark.task.maxFailures}) fails alone while the others complete. The driver
 * only plans, watches and stores: results come back as JSON and are written under the output folder;
 * a cell whose result exists with the same resolved settings (in the output folder, or committed under
 * {@code reproduce/results/runs/}) is not run. Progress goes to {@link Progress} (the CLI prints it,
 * the kernel shows it).
 *
 * <p>With a stop time ({@link Builder#optStopAt}, {@code memtune sweep --stop-at}) the sweep ends by
 * then: the running cells write their checkpoints and stop, and with {@code --commit} those are parked;
 * a cell that would not finish and could not be parked is passed over ({@link StopTime}).
 *
 * <pre>
 *   SweepReport r = Sweep.run(Path.of("reproduce/grids/glue-bert-base.json"), "local[1]", Path.of("reproduce/out"));
 *   SweepReport r = Sweep.builder().optMaster("spark://head:7077").optOut(shared).build().run(Grid.load(...));
 * </pre>
 */
public final class Sweep {
    /** Progress events carry this task name. */
    public static final String PROGRESS = "sweep";
    /** Row statuses of a sweep with a stop time: a cell running at the stop time, and one that did not start. */
    public static final String STOPPED = "stopped", NOT_STARTED = "not started";
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)]");

    private final Path root, out;
    private final String master;
    private final int threads, maxFailures;
    private final Map<String, String> conf;
    private final List<String> childJavaOpts;
    private final String childClasspath, childMain;
    private final double tickSeconds;
    private final boolean commit;
    private final StopTime stopAt;

    private Sweep(Builder b) {
        root = b.root.toAbsolutePath().normalize();
        out = (b.out != null ? b.out : root.resolve("reproduce/out")).toAbsolutePath().normalize();
        master = b.master;
        threads = b.threads;
        maxFailures = b.maxFailures;
        conf = Map.copyOf(b.conf);
        childJavaOpts = List.copyOf(b.childJavaOpts);
        childClasspath = b.childClasspath;
        childMain = b.childMain;
        tickSeconds = b.tickSeconds;
        commit = b.commit;
        stopAt = b.stopAt == null ? null : new StopTime(b.stopAt);
    }

    public static Builder builder() { return new Builder(); }

    /** Runs a grid file with the defaults (project root from {@code -Dmemtune.root}). */
    public static SweepReport run(Path gridFile, String master, Path out) {
        Sweep s = builder().optMaster(master).optOut(out).build();
        return s.run(s.load(gridFile, null));
    }

    /** Reads a grid file against this project's {@code reproduce/configs}. */
    public Grid load(Path gridFile, String scale) { return Grid.load(gridFile, configsDir(), scale); }

    public Path configsDir() { return root.resolve("reproduce/configs"); }

    public Path out() { return out; }

    /** The master this sweep uses: the one given, else spark-submit's ({@code spark.master}), else {@code local[1]}. */
    public String master() {
        if (master != null) return master;
        return new SparkConf(true).get("spark.master", "local[1]");
    }

    /** A cell with its settings resolved and its result looked up. */
    record Planned(Cell cell, String configId, JsonObject settings, Path reusable) {}

    /**
     * Resolves every cell's settings (bad configs, unknown tasks and bad overrides fail here, before
     * anything runs) and finds results that can be reused.
     */
    public List<Planned> plan(Grid grid) {
        List<Planned> out = new ArrayList<>();
        Map<String, String> byResult = new HashMap<>();
        for (Cell c : grid.cells()) {
            String where = grid.file + ": cell " + c.index() + " (" + c.label() + ")";
            try {
                Tasks.get(c.task());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": tasks: " + e.getMessage());
            }
            ExperimentConfig cfg;
            ExperimentConfig.Resolved r;
            try {
                cfg = ExperimentConfig.load(configsDir().resolve(c.config()));
                r = cfg.resolve(c.task(), c.seed(), c.scale(), c.overrides());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            String rel = Experiments.resultFile(Path.of(c.outSubdir()), cfg, r.task(), c.seed()).toString();
            String other = byResult.putIfAbsent(rel, c.label());
            if (other != null) throw new IllegalArgumentException(where + ": writes the same result file " + rel + " as " + other);
            Cell cell = c.withResultPath(rel);
            Path reusable = null;
            for (Path p : List.of(this.out.resolve(rel), Experiments.resultIn(root.resolve("reproduce/results/runs"), cfg, r.task(), c.seed())))
                if (c.overrides().isEmpty() || p.startsWith(this.out))
                    if (sameSettings(p, r.json())) { reusable = p; break; }
            out.add(new Planned(cell, cfg.id, r.json(), reusable));
        }
        return out;
    }

    /** Whether {@code file} is a result made with {@code settings} (and the current split procedure), as {@code memtune train} decides. */
    static boolean sameSettings(Path file, JsonObject settings) {
        if (!Files.isRegularFile(file)) return false;
        try {
            ExperimentResult old = ExperimentResult.read(file);
            return Experiments.sameSettings(old, settings) && Experiments.sameSplit(old);
        } catch (RuntimeException e) {
            return false;                                   // unreadable: train again
        }
    }

    /** Lists the cells and what would happen to each, without starting Spark. */
    public SweepReport dryRun(Grid grid) { return dryRun(grid, plan(grid)); }

    /** {@link #dryRun(Grid)} with the grid's plan already made ({@link #plan}). */
    SweepReport dryRun(Grid grid, List<Planned> plan) {
        List<SweepReport.Row> rows = new ArrayList<>();
        for (Planned p : plan)
            rows.add(new SweepReport.Row(p.cell(), p.reusable() != null ? "reused" : "planned", 0, null, null, Double.NaN, Double.NaN,
                    score(p.reusable(), "best_validation_score"), score(p.reusable(), "test_score"),
                    p.reusable() != null ? p.reusable().toString() : out.resolve(p.cell().resultPath()).toString(), null));
        return new SweepReport(grid.name(), master(), rows, 0, 0, 0, List.of());
    }

    /**
     * Seconds each cell still to run is expected to take, by cell index ({@link RunTimes}: rates measured
     * on the finished runs committed under {@code reproduce/results/runs} and in the output folder; a cell
     * that resumes, {@link #toGo}); a cell without an estimate is absent.
     */
    Map<Integer, Double> estimates(List<Planned> plan) { return estimates(plan, times()); }

    private Map<Integer, Double> estimates(List<Planned> plan, RunTimes times) {
        Map<Integer, Double> est = new TreeMap<>();
        ParkedCheckpoints parked = new ParkedCheckpoints(root, out);
        for (Planned p : plan) {
            if (p.reusable() != null) continue;
            OptionalDouble whole = times.estimate(p.configId(), p.settings());
            Path from = parked.resumeFrom(p.cell());
            double s = from == null ? whole.orElse(Double.NaN)
                    : toGo(whole, ParkedCheckpoints.step(from), ParkedCheckpoints.epoch(from), ParkedCheckpoints.seconds(from), times.steps(p.configId(), p.settings()));
            if (!Double.isNaN(s)) est.put(p.cell().index(), s);
        }
        return est;
    }

    /**
     * Seconds a resumed cell has to go: once its checkpoint has a whole epoch behind it (an evaluation included),
     * at its own pace, {@code seconds / step} for each of the {@code total - step} steps left; before that, the
     * whole run's estimate less the seconds trained. NaN when neither is known.
     *
     * @param epoch the checkpoint's epoch in progress (0 = the first)
     */
    static double toGo(OptionalDouble whole, long step, int epoch, double seconds, OptionalLong total) {
        if (epoch >= 1 && step > 0 && total.isPresent()) return seconds / step * Math.max(0, total.getAsLong() - step);
        return whole.isPresent() ? Math.max(0, whole.getAsDouble() - seconds) : Double.NaN;
    }

    /** {@link RunTimes} of the finished runs: committed under {@code reproduce/results/runs}, and in the output folder. */
    private RunTimes times() {
        List<ExperimentResult> finished = new ArrayList<>(Results.load(root.resolve("reproduce/results/runs")));
        finished.addAll(Results.load(out.resolve("results")));
        return RunTimes.of(finished);
    }

    /** {@link StopTime#schedule}: what this sweep, started at {@code now}, would do with each cell to run; empty without a stop time. */
    Map<Integer, String> schedule(List<Planned> plan, Instant now) {
        if (stopAt == null) return Map.of();
        List<Planned> todo = plan.stream().filter(p -> p.reusable() == null).toList();
        RunTimes times = times();
        Map<Integer, Double> est = estimates(todo, times);
        Map<Integer, String> why = new HashMap<>();
        return stopAt.schedule(todo, est, stopAt.latestStarts(todo, est, times, why), why, now, commit);
    }

    /** Runs the grid's cells that have no result yet; returns when every cell is done or failed, or at the stop time. */
    public SweepReport run(Grid grid) {
        long t0 = System.nanoTime();
        List<Planned> plan = plan(grid);
        SweepReport.Row[] rows = new SweepReport.Row[plan.size()];
        List<Planned> todo = new ArrayList<>();
        ResultCommit committer = commit ? ResultCommit.at(root) : null;      // not a git work tree: fail before anything runs
        for (int i = 0; i < plan.size(); i++) {
            Planned p = plan.get(i);
            if (p.reusable() != null) {
                rows[i] = new SweepReport.Row(p.cell(), "reused", 0, null, null, Double.NaN, Double.NaN,
                        score(p.reusable(), "best_validation_score"), score(p.reusable(), "test_score"), p.reusable().toString(), null);
                if (committer != null && p.reusable().startsWith(out) && p.cell().overrides().isEmpty())   // finished by a run without --commit
                    report(0, plan.size(), 0, 0, 0, Double.NaN, "reused " + p.cell().label() + commit(committer, p.reusable(), p.cell().resultPath()));
            } else todo.add(p);
        }
        ParkedCheckpoints parked = new ParkedCheckpoints(root, out);
        for (Planned p : todo) {                                           // a checkpoint parked in the repository by another session
            String restored = parked.restore(p.cell());
            if (restored != null) report(0, plan.size(), plan.size() - todo.size(), 0, 0, Double.NaN, p.cell().label() + " " + restored);
        }
        String m = master();
        report(0, plan.size(), plan.size() - todo.size(), 0, 0, Double.NaN,
                todo.size() + " of " + plan.size() + " cells to run on " + m + (todo.size() < plan.size() ? " (" + (plan.size() - todo.size()) + " reused)" : ""));
        if (todo.isEmpty()) return new SweepReport(grid.name(), m, List.of(rows), (System.nanoTime() - t0) / 1e9, 0, 0, List.of());
        if (stopAt != null && stopAt.passed()) {                            // a grid run after another that reached the stop time
            for (Planned p : todo)
                rows[plan.indexOf(p)] = new SweepReport.Row(p.cell(), NOT_STARTED, 0, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null,
                        "the stop time " + stopAt.clock() + " came first");
            report(plan.size(), plan.size(), plan.size() - todo.size(), 0, 0, 0, "the stop time " + stopAt.clock() + " has passed: nothing starts");
            return new SweepReport(grid.name(), m, List.of(rows), (System.nanoTime() - t0) / 1e9, 0, 0, List.of());
        }
        Map<Integer, String> late = new HashMap<>();
        RunTimes times = times();
        Map<Integer, Double> est = estimates(todo, times);                  // the ETA's, and the stop time's, per cell
        Map<Integer, Long> startBy = stopAt == null ? new TreeMap<>() : stopAt.latestStarts(todo, est, times, late);
        if (stopAt != null)
            report(0, plan.size(), plan.size() - todo.size(), 0, 0, Double.NaN, "stops at " + stopAt.clock() + " ("
                    + ProgressEvent.formatSeconds(Math.max(0, Instant.now().until(stopAt.at(), ChronoUnit.SECONDS))) + " from now)"
                    + (startBy.isEmpty() ? "" : "; " + startBy.size() + " cell(s) start only if their turn comes early enough to finish by then"));

        SparkConf sc = sparkConf(grid, m);
        int slots;
        double sparkStart;
        SweepProgress progress = new SweepProgress();
        try (JavaSparkContext jsc = new JavaSparkContext(sc)) {
            jsc.sc().addSparkListener(progress);
            sparkStart = (System.nanoTime() - t0) / 1e9;
            slots = Math.max(1, jsc.defaultParallelism() / Math.max(1, sc.getInt("spark.task.cpus", 1)));
            Launch launch = new Launch(root.toString(), out.toString(), childJavaOpts, childClasspath, childMain, threadsFor(m, sc));
            CellTask task = new CellTask(launch, startBy);
            Map<Integer, JavaFutureAction<List<CellOutcome>>> jobs = new LinkedHashMap<>();
            for (Planned p : todo) {                                        // FIFO scheduler: cells start in grid order
                jsc.setLocalProperty(SweepProgress.CELL, Integer.toString(p.cell().index()));
                jsc.setJobDescription(p.cell().label());
                jobs.put(p.cell().index(), jsc.parallelize(List.of(p.cell()), 1).map(task).collectAsync());
            }
            jsc.setLocalProperty(SweepProgress.CELL, null);
            Map<Integer, Planned> byIndex = new HashMap<>();
            for (Planned p : plan) byIndex.put(p.cell().index(), p);
            int done = plan.size() - todo.size(), failed = 0;
            double cellSum = 0;
            int cellsRun = 0;
            long lastTick = 0;
            boolean stopping = false;
            while (!jobs.isEmpty()) {
                if (stopAt != null && !stopping && stopAt.passed()) {
                    stopping = true;                                        // the running cells' children get SIGTERM and write their checkpoints
                    jsc.cancelAllJobs();
                    report(done + failed, plan.size(), done, failed, progress.running(), Double.NaN, "stop time " + stopAt.clock()
                            + " reached: the running cells write their checkpoints and stop; the others do not start");
                }
                for (var it = jobs.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isDone()) continue;
                    it.remove();
                    Planned p = byIndex.get(e.getKey());
                    int idx = plan.indexOf(p);
                    long started = progress.started(p.cell().index());
                    double secs = started > 0 ? (System.nanoTime() - started) / 1e9 : Double.NaN;
                    try {
                        CellOutcome o = e.getValue().get().get(0);
                        if (o.notStarted() != null) {
                            rows[idx] = new SweepReport.Row(p.cell(), NOT_STARTED, 0, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null,
                                    late.getOrDefault(p.cell().index(), o.notStarted()));
                            report(done + failed, plan.size(), done, failed, progress.running(), Double.NaN, "not started " + p.cell().label() + ": " + rows[idx].error());
                            continue;
                        }
                        Path file = out.resolve(p.cell().resultPath());
                        store(file, o.resultJson());
                        String committed = committer == null || !p.cell().overrides().isEmpty() ? "" : commit(committer, file, p.cell().resultPath());
                        JsonObject j = JsonParser.parseString(o.resultJson()).getAsJsonObject();
                        rows[idx] = new SweepReport.Row(p.cell(), "done", Math.max(progress.attempts(p.cell().index()), o.attempt() + 1), o.executor(), o.worker(),
                                secs, o.childSeconds(), num(j, "best_validation_score"), num(j, "test_score"), file.toString(), null);
                        done++;
                        if (Double.isFinite(secs)) { cellSum += secs; cellsRun++; }
                        lastTick = System.nanoTime();
                        report(done + failed, plan.size(), done, failed, progress.running(), eta(jobs.keySet(), est, progress, System.nanoTime(), cellSum, cellsRun, slots),
                                "done " + p.cell().label() + " in " + ProgressEvent.formatSeconds(Double.isFinite(secs) ? secs : 0) + " on " + o.worker()
                                        + (o.attempt() > 0 ? " (attempt " + (o.attempt() + 1) + ")" : "") + committed);
                    } catch (ExecutionException | RuntimeException x) {
                        if (stopping) {                                     // cancelled at the stop time: stopped with its checkpoint, or never started
                            boolean ran = started > 0;
                            rows[idx] = new SweepReport.Row(p.cell(), ran ? STOPPED : NOT_STARTED, progress.attempts(p.cell().index()), null, null, secs, Double.NaN,
                                    Double.NaN, Double.NaN, null, ran ? "stopped at the stop time " + stopAt.clock() : "the stop time " + stopAt.clock() + " came first");
                            continue;
                        }
                        String why = firstLine(x instanceof ExecutionException ? x.getCause() : x);
                        rows[idx] = new SweepReport.Row(p.cell(), "failed", progress.attempts(p.cell().index()), null, null, secs, Double.NaN,
                                Double.NaN, Double.NaN, null, why);
                        failed++;
                        lastTick = System.nanoTime();
                        report(done + failed, plan.size(), done, failed, progress.running(), eta(jobs.keySet(), est, progress, System.nanoTime(), cellSum, cellsRun, slots),
                                "FAILED " + p.cell().label() + " after " + progress.attempts(p.cell().index()) + " attempts: " + why);
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                        jsc.cancelAllJobs();
                        throw new Progress.InterruptedWork();
                    }
                }
                long now = System.nanoTime();
                if (!jobs.isEmpty() && now - lastTick > tickSeconds * 1e9) {
                    lastTick = now;
                    report(done + failed, plan.size(), done, failed, progress.running(), eta(jobs.keySet(), est, progress, System.nanoTime(), cellSum, cellsRun, slots),
                            progress.failedAttempts() > 0 ? progress.failedAttempts() + " failed attempts retried" : "");
                }
                if (!jobs.isEmpty()) sleep(100);
            }
            if (stopping) StopTime.awaitChildren(m.startsWith("local"));              // before Spark stops its executors, which would kill them mid-write
        }
        long stopped = Arrays.stream(rows).filter(r -> r.status().equals(STOPPED)).count();
        if (stopped > 0) {                                                   // their checkpoints, for a fresh checkout to resume from
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                if (!rows[i].status().equals(STOPPED) || committer == null) continue;
                try {
                    String line = parked.park(plan.get(i).cell(), committer);
                    lines.add(line != null ? line : plan.get(i).cell().label() + ": no checkpoint written");
                } catch (RuntimeException x) {
                    lines.add(plan.get(i).cell().label() + ": NOT PARKED: " + firstLine(x));
                }
            }
            int done = (int) Arrays.stream(rows).filter(r -> r.status().equals("done") || r.status().equals("reused")).count();
            int failed = (int) Arrays.stream(rows).filter(r -> r.status().equals("failed")).count();
            report(plan.size(), plan.size(), done, failed, 0, 0, stopped + " cell(s) stopped at " + stopAt.clock()
                    + (committer != null ? ": " + String.join("; ", lines) : "; their checkpoints are in " + out.resolve("checkpoints")
                    + " (memtune sweep --park commits them for another machine)"));
        }
        SweepReport r = new SweepReport(grid.name(), m, List.of(rows), (System.nanoTime() - t0) / 1e9, sparkStart, slots,
                progress.executors().stream().sorted().toList());
        store(out.resolve("sweep").resolve(grid.name() + ".json"), new GsonBuilder().setPrettyPrinting().create().toJson(r.json()));
        return r;
    }

    /**
     * {@code memtune sweep --park}: commits the checkpoint of each of the grid's unfinished cells into
     * {@code reproduce/results/parked/} ({@link ParkedCheckpoints}), for a fresh checkout to resume from;
     * returns one line per cell that has a checkpoint. Run it after the sweep has stopped.
     */
    public List<String> park(Grid grid) {
        ResultCommit git = ResultCommit.at(root);
        ParkedCheckpoints parked = new ParkedCheckpoints(root, out);
        List<String> lines = new ArrayList<>();
        for (Planned p : plan(grid)) {
            if (p.reusable() != null) continue;
            String r = parked.park(p.cell(), git);
            if (r != null) lines.add(p.cell().label() + ": " + r);
        }
        return lines;
    }

    /** Where a planned cell will resume: {@code step 633 (...) from its checkpoint} or {@code ... from the parked checkpoint}; null when it starts afresh. */
    String resumesAt(Cell c) {
        ParkedCheckpoints parked = new ParkedCheckpoints(root, out);
        Path from = parked.resumeFrom(c);
        return from == null ? null : ParkedCheckpoints.where(from) + (from.equals(parked.local(c)) ? " from its checkpoint" : " from the parked checkpoint");
    }

    /** Commits a finished cell's result ({@link ResultCommit}); a failure is reported, and the cell stays done. */
    private static String commit(ResultCommit c, Path file, String resultPath) {
        try {
            String message = c.commit(file, resultPath);
            return message == null ? "" : "; committed \"" + message + "\"";
        } catch (RuntimeException e) {
            return "; NOT COMMITTED: " + firstLine(e);
        }
    }

    private SparkConf sparkConf(Grid grid, String m) {
        SparkConf sc = new SparkConf(true);                                  // spark.* system properties: spark-submit's settings
        sc.setAppName("memtune sweep " + grid.name());
        int failures = maxFailures > 0 ? maxFailures : sc.getInt("spark.task.maxFailures", 4);
        sc.set("spark.task.maxFailures", Integer.toString(failures));
        Matcher lm = LOCAL.matcher(m);
        sc.setMaster(lm.matches() ? "local[" + lm.group(1) + "," + failures + "]" : m);   // local mode retries only as local[N,F]
        sc.setIfMissing("spark.ui.enabled", "false");
        sc.setIfMissing("spark.ui.showConsoleProgress", "false");
        conf.forEach(sc::set);
        if (!m.startsWith("local")) {                                        // executors load CellTask from the sweep jar the driver serves
            Path jar = codeSource();
            if (Files.isRegularFile(jar)) sc.setIfMissing("spark.jars", jar.toString());
        }
        return sc;
    }

    /** Threads per cell: {@code --threads}; on {@code local[N]} the machine's cores over N; else 0 = the task's {@code spark.task.cpus}. */
    private int threadsFor(String m, SparkConf sc) {
        if (threads > 0) return threads;
        Matcher lm = LOCAL.matcher(m);
        int cores = Runtime.getRuntime().availableProcessors();
        if (m.equals("local")) return cores;
        if (lm.matches()) return lm.group(1).equals("*") ? 1 : Math.max(1, cores / Integer.parseInt(lm.group(1)));
        return 0;
    }

    static Path codeSource() {
        try {
            return Path.of(CellTask.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            return Path.of("");
        }
    }

    private static double eta(Set<Integer> left, Map<Integer, Double> est, SweepProgress progress, long now, double cellSum, int cellsRun, int slots) {
        Map<Integer, Double> ran = new HashMap<>();
        for (int c : left) if (progress.started(c) > 0) ran.put(c, (now - progress.started(c)) / 1e9);
        return eta(left, est, ran, cellsRun == 0 ? Double.NaN : cellSum / cellsRun, slots);
    }

    /**
     * Seconds until the cells {@code left} are done: each one's estimate ({@link #estimates}, as the dry run
     * gives it) less the seconds it has {@code run} so far (never below 0), else the mean time of the cells
     * this sweep finished ({@code meanCell}); the sum shared by {@code slots} cells at a time. NaN when a
     * cell has neither.
     */
    static double eta(Collection<Integer> left, Map<Integer, Double> est, Map<Integer, Double> run, double meanCell, int slots) {
        double sum = 0;
        for (int c : left) {
            double whole = est.getOrDefault(c, meanCell);
            if (Double.isNaN(whole)) return Double.NaN;
            sum += Math.max(0, whole - run.getOrDefault(c, 0.0));
        }
        return sum / Math.max(1, slots);
    }

    private static void report(int finished, int total, int done, int failed, int running, double eta, String msg) {
        String state = "done " + done + ", running " + running + ", failed " + failed + (msg.isEmpty() ? "" : "; " + msg);
        Progress.report(new ProgressEvent(PROGRESS, finished, total, Double.NaN, Double.NaN, eta, state));
    }

    private static String firstLine(Throwable t) {
        String s = String.valueOf(t.getMessage());
        int cell = s.indexOf("cell ");                                      // Spark wraps our message: keep ours
        int at = s.indexOf("\n", Math.max(cell, 0));
        String line = (cell >= 0 ? s.substring(cell, at > 0 ? at : s.length()) : s.lines().findFirst().orElse(s)).strip();
        return line.length() > 600 ? line.substring(0, 600) + " ..." : line;
    }

    private static double score(Path file, String key) {
        if (file == null) return Double.NaN;
        try { return num(JsonParser.parseString(Files.readString(file)).getAsJsonObject(), key); }
        catch (IOException | RuntimeException e) { return Double.NaN; }
    }

    private static double num(JsonObject o, String k) {
        return o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsDouble() : Double.NaN;
    }

    /** Writes {@code text} atomically unless the file already holds it (the child wrote it in a shared folder). */
    static void store(Path file, String text) {
        try {
            if (Files.isRegularFile(file) && Files.readString(file).equals(text)) return;
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Waits {@code ms}; an interrupt ends the sweep ({@link Progress.InterruptedWork}). */
    static void sleep(long ms) {
        try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new Progress.InterruptedWork(); }
    }

    /** Options of a sweep; everything has a default. */
    public static final class Builder {
        private Path root = Path.of(System.getProperty("memtune.root", "."));
        private Path out;
        private String master;
        private int threads, maxFailures;
        private final Map<String, String> conf = new LinkedHashMap<>();
        private List<String> childJavaOpts = defaultJavaOpts();
        private String childClasspath, childMain = Launch.MAIN;
        private double tickSeconds = 15;
        private boolean commit;
        private Instant stopAt;

        /** The project root (configs, jars): default {@code -Dmemtune.root}, else the working directory. */
        public Builder optRoot(Path r) { root = r; return this; }
        /** Results, checkpoints and logs (default {@code reproduce/out}); shared by every worker for resume after a lost worker. */
        public Builder optOut(Path o) { out = o; return this; }
        /** {@code local[N]}, {@code spark://host:port}, ... (default: spark-submit's, else {@code local[1]}). */
        public Builder optMaster(String m) { master = m; return this; }
        /** Threads per cell (default: see {@link #threadsFor}). */
        public Builder optThreads(int t) { threads = t; return this; }
        /** Attempts per cell ({@code spark.task.maxFailures}; default Spark's 4). */
        public Builder optMaxFailures(int f) { maxFailures = f; return this; }
        /** Any Spark setting. */
        public Builder optConf(String key, String value) { conf.put(key, value); return this; }
        /** JVM options of each cell's child (default {@code MEMTUNE_JAVA_OPTS}, else {@code -Xmx6g} as reproduce/memtune). */
        public Builder optChildJavaOpts(List<String> o) { childJavaOpts = o; return this; }
        /** A classpath and main class for the child instead of the launcher's ({@code dev.memtune.app.Main}): for tests. */
        public Builder optChild(String classpath, String main) { childClasspath = classpath; childMain = main; return this; }
        /** Seconds between progress reports while nothing finishes (default 15). */
        public Builder optTick(double s) { tickSeconds = s; return this; }
        /** Copy each finished cell's result into {@code reproduce/results/runs} and commit it on its own ({@link ResultCommit}). */
        public Builder optCommit(boolean c) { commit = c; return this; }
        /** End the sweep at this time (null: run every cell): {@link StopTime}. */
        public Builder optStopAt(Instant t) { stopAt = t; return this; }

        public Sweep build() {
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
            if (maxFailures < 0) throw new IllegalArgumentException("max failures must be >= 1, got " + maxFailures);
            return new Sweep(this);
        }

        private static List<String> defaultJavaOpts() {
            String env = System.getenv("MEMTUNE_JAVA_OPTS");
            return env == null || env.isBlank() ? List.of("-Xmx6g") : List.of(env.trim().split("\\s+"));
        }
    }
}
