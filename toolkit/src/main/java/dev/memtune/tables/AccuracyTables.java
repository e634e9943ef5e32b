package dev.memtune.tables;

import dev.memtune.papers.PaperNumbers;
import dev.memtune.sys.Project;
import dev.memtune.data.DataSource;
import dev.memtune.data.MissingDataException;
import dev.memtune.data.Protocol;
import dev.memtune.data.Tasks;
import dev.memtune.train.ExperimentConfig;
import dev.memtune.train.ExperimentResult;
import dev.memtune.train.Experiments;
import dev.memtune.train.RunExecutor;
import dev.memtune.train.Results;
import dev.memtune.display.Renderable;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * A results table of the papers, run from its experiment configs and rendered with the papers'
 * numbers beside ours. Notebooks call only this: {@link #run} trains (or reuses cached result
 * JSON) every (method, task, seed) of a scale, {@link #scores} renders mean ± spread per task with
 * the average, {@link #tradeoff} plots score against memory.
 * <pre>
 *   var runs = AccuracyTables.run("glue", "minilm-l6", List.of("full", "lora", "lst"), "smoke");
 *   AccuracyTables.scores(runs, "lst");   AccuracyTables.tradeoff(runs);
 * </pre>
 */
public final class AccuracyTables {
    private AccuracyTables() {}

    /** Every result of the runs, plus what could not run and why (e.g. task data not staged). */
    public record Runs(String table, String backbone, String scale, List<ExperimentResult> results, Map<String, String> skipped) {}

    /** Config file of a (table, backbone, method), e.g. {@code reproduce/configs/glue/minilm-l6/lora.json}. */
    public static Path config(String table, String backbone, String method) {
        return Project.reproduce("configs", table, backbone, method + ".json");
    }

    /** Methods that have a config for this table and backbone, in registry order. */
    public static List<String> methods(String table, String backbone) {
        List<String> out = new ArrayList<>();
        Path dir = Project.reproduce("configs", table, backbone);
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).map(n -> n.substring(0, n.length() - 5)).sorted().forEach(out::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> order = new ArrayList<>(dev.memtune.methods.Methods.names());
        out.sort(Comparator.comparingInt((String m) -> order.indexOf(m) < 0 ? 99 : order.indexOf(m)).thenComparing(m -> m));
        return out;
    }

    /** Trains or reuses every (method, task, seed) the configs list at this scale. */
    public static Runs run(String table, String backbone, List<String> methods, String scale) {
        return run(table, backbone, methods, scale, null);
    }

    /**
     * As {@link #run(String, String, List, String)}, restricted to {@code tasks} when non-null. The runs
     * go to {@link RunExecutor#current()}: this JVM, or a Spark master when {@code memtune.master} is set.
     */
    public static Runs run(String table, String backbone, List<String> methods, String scale, List<String> tasks) {
        Map<String, String> skipped = new LinkedHashMap<>();
        List<RunExecutor.Run> planned = new ArrayList<>();
        for (String m : methods) {
            Path cfgFile = config(table, backbone, m);
            if (!Files.exists(cfgFile)) { skipped.put(m, "no config " + cfgFile); continue; }
            ExperimentConfig cfg = ExperimentConfig.load(cfgFile);
            for (String task : cfg.tasks(scale)) {
                if (tasks != null && !tasks.contains(task)) continue;
                ExperimentConfig.Resolved first = cfg.resolve(task, cfg.seeds(scale).get(0), scale, Map.of());
                boolean committed = cfg.seeds(scale).stream().allMatch(s ->
                        Files.isRegularFile(Experiments.resultIn(Experiments.committed(), cfg, first.task(), s)));
                if (!committed) {
                    try {   // staged data, or at smoke scale the bundled sample (Experiments.samplesAllowed)
                        Tasks.get(task).locate(Protocol.parse(first.protocol()), Experiments.samplesAllowed(scale));
                    } catch (MissingDataException e) {
                        List<String> missing = e.missing().stream().map(p -> Tasks.dataDir().relativize(p).toString()).toList();
                        skipped.put(m + "/" + task, "data not staged: " + missing + " (reproduce/memtune fetch-data --task " + task + ")");
                        continue;
                    }
                }
                for (int seed : cfg.seeds(scale)) planned.add(new RunExecutor.Run(cfgFile, task, seed, scale));
            }
        }
        List<ExperimentResult> results = new ArrayList<>();
        for (RunExecutor.Outcome o : RunExecutor.current().execute(planned, Experiments.defaultOut())) {
            if (o.result() != null) results.add(o.result());
            else skipped.put(methodOf(o.run().config()) + "/" + o.run().task() + (o.missingData() ? "" : " seed " + o.run().seed()), o.error());
        }
        return new Runs(table, backbone, scale, results, skipped);
    }

    private static String methodOf(Path config) { return config.getFileName().toString().replaceAll("\\.json$", ""); }

    /**
     * Rows = methods, columns = tasks (test score x100, mean ± sample std over seeds), the average over
     * the tasks run, the GLUE average when all 8 GLUE tasks ran (else n/a), trainable share, peak RSS,
     * and the paper's reported average and memory for the same method ({@code paper}: lst, meft,
     * symtune; numbers are the paper's own backbone, not ours).
     */
    public static Table scores(Runs runs, String paper) {
        Map<String, Map<String, List<Double>>> byMethod = new LinkedHashMap<>();
        Map<String, double[]> extra = new LinkedHashMap<>();   // share %, peak MB
        SortedSet<String> tasks = new TreeSet<>(Comparator.comparingInt(t -> Tasks.names().indexOf(t)));
        Map<String, String> methodOf = new HashMap<>();
        for (ExperimentResult r : runs.results()) {
            String key = variant(r);
            methodOf.put(key, r.method());
            byMethod.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(r.task(), k -> new ArrayList<>()).add(100 * r.testScore());
            tasks.add(r.task());
            double[] e = extra.computeIfAbsent(key, k -> new double[]{0, 0});
            e[0] = 100 * r.json().get("trainable_share").getAsDouble();
            e[1] = Math.max(e[1], r.peakRssBytes() / 1e6);
        }
        PaperNumbers pn = paper == null ? null : PaperNumbers.of(paper);
        Table t = Table.create(runs.table() + " on " + runs.backbone() + " (" + runs.scale() + " scale; " + dataNote(runs)
                + "; test score x100, mean ± std over seeds)");
        StringColumn method = StringColumn.create("method");
        t.addColumns(method);
        for (String task : tasks) t.addColumns(StringColumn.create(task));
        StringColumn avg = StringColumn.create("avg (tasks run)"), glue = StringColumn.create("GLUE avg (8 tasks)"),
                share = StringColumn.create("trainable %"), mem = StringColumn.create("peak RSS MB");
        t.addColumns(avg, glue, share, mem);
        StringColumn paperAvg = StringColumn.create("paper GLUE avg"), paperMem = StringColumn.create("paper memory GB");
        if (pn != null) t.addColumns(paperAvg, paperMem);
        for (var e : byMethod.entrySet()) {
            String m = e.getKey();
            method.append(label(m, methodOf.get(m)));
            List<Double> means = new ArrayList<>();
            for (String task : tasks) {
                List<Double> v = e.getValue().get(task);
                if (v == null) { t.stringColumn(task).append("n/a"); continue; }
                double mu = v.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
                means.add(mu);
                t.stringColumn(task).append(v.size() > 1 ? String.format(Locale.ROOT, "%.1f ± %.1f", mu, std(v)) : String.format(Locale.ROOT, "%.1f", mu));
            }
            avg.append(means.size() == tasks.size() ? String.format(Locale.ROOT, "%.1f", means.stream().mapToDouble(d -> d).average().orElse(Double.NaN)) : "n/a");
            boolean allGlue = Tasks.GLUE_AVERAGE_TASKS.stream().allMatch(g -> e.getValue().containsKey(g));
            if (allGlue) {
                double s = 0;
                for (String g : Tasks.GLUE_AVERAGE_TASKS) s += e.getValue().get(g).stream().mapToDouble(d -> d).average().orElse(Double.NaN);
                glue.append(String.format(Locale.ROOT, "%.1f", s / Tasks.GLUE_AVERAGE_TASKS.size()));
            } else {
                long have = Tasks.GLUE_AVERAGE_TASKS.stream().filter(g -> e.getValue().containsKey(g)).count();
                glue.append("n/a (" + have + "/8 tasks)");
            }
            double[] x = extra.get(m);
            share.append(String.format(Locale.ROOT, "%.3f", x[0]));
            mem.append(String.format(Locale.ROOT, "%.0f", x[1]));
            if (pn != null) {
                paperAvg.append(m.equals(methodOf.get(m)) ? pn.cell(m, "glue_avg", "%.1f") : "n/a");
                paperMem.append(m.equals(methodOf.get(m)) ? pn.cell(m, "train_memory_gb", "%.1f") : "n/a");
            }
        }
        return t;
    }

    /**
     * Which data the runs read: {@code data: staged}, {@code data: bundled sample (40 rows per split; scores
     * mean nothing)}, or both with the tasks of each.
     */
    public static String dataNote(Runs runs) {
        Map<String, SortedSet<String>> bySource = new TreeMap<>(Comparator.reverseOrder());   // "staged" before "bundled sample"
        for (ExperimentResult r : runs.results()) bySource.computeIfAbsent(r.dataSource(), k -> new TreeSet<>()).add(r.task());
        if (bySource.isEmpty()) return "no runs";
        String sample = DataSource.Kind.SAMPLE.label();
        if (bySource.size() == 1) {
            String s = bySource.keySet().iterator().next();
            return "data: " + s + (s.equals(sample) ? " (a few dozen rows per split: the pipeline runs, the scores mean nothing)" : "");
        }
        List<String> parts = new ArrayList<>();
        bySource.forEach((s, ts) -> parts.add(s + " for " + String.join(", ", ts)));
        return "data: " + String.join("; ", parts);
    }

    /** What could not run, as a table (empty when everything ran). */
    public static Table skipped(Runs runs) {
        Table t = Table.create("not run", StringColumn.create("what"), StringColumn.create("why"));
        runs.skipped().forEach((k, v) -> { t.stringColumn("what").append(k); t.stringColumn("why").append(v); });
        return t;
    }

    /**
     * LST's trade-off figure: average test score against peak memory, one point per method. The
     * average is over the tasks every method ran ({@link #commonAverages}), so methods with more tasks
     * are not compared on other tasks.
     */
    public static XYChart tradeoff(Runs runs) {
        Averages a = commonAverages(runs);
        XYChart c = new XYChartBuilder().width(640).height(420).title("score vs memory (" + runs.backbone() + ", " + runs.scale() + ")")
                .xAxisTitle("peak RSS of the training run (MB)").yAxisTitle(a.axisTitle()).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        for (var e : a.byMethod().entrySet()) {
            double score = a.score(e.getKey());
            double memMb = e.getValue().stream().mapToDouble(r -> r.peakRssBytes() / 1e6).max().orElse(Double.NaN);
            if (Double.isNaN(score)) continue;
            c.addSeries(label(e.getKey(), e.getValue().get(0).method()), new double[]{memMb}, new double[]{score}).setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    /**
     * Per method (config variant): the mean test score x100 over the tasks that every method ran
     * (each task first averaged over its seeds). Where no task is common to all, each method's own
     * tasks, and the axis title says so.
     */
    record Averages(Map<String, List<ExperimentResult>> byMethod, List<String> tasks) {
        double score(String method) {
            Map<String, List<Double>> byTask = new LinkedHashMap<>();
            for (ExperimentResult r : byMethod.get(method)) byTask.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(100 * r.testScore());
            return byTask.entrySet().stream().filter(t -> tasks.isEmpty() || tasks.contains(t.getKey()))
                    .mapToDouble(t -> t.getValue().stream().mapToDouble(d -> d).average().orElse(Double.NaN)).average().orElse(Double.NaN);
        }
        String axisTitle() {
            return tasks.isEmpty() ? "test score x100 (each method's own tasks: none common)" : "test score x100, avg over " + String.join(", ", tasks);
        }
    }

    static Averages commonAverages(Runs runs) {
        Map<String, List<ExperimentResult>> byMethod = new LinkedHashMap<>();
        for (ExperimentResult r : runs.results()) byMethod.computeIfAbsent(variant(r), k -> new ArrayList<>()).add(r);
        List<String> common = null;
        for (List<ExperimentResult> rs : byMethod.values()) {
            List<String> ts = rs.stream().map(ExperimentResult::task).distinct().toList();
            if (common == null) common = new ArrayList<>(ts); else common.retainAll(ts);
        }
        List<String> tasks = common == null ? List.of() : common.stream().sorted(Comparator.comparingInt(t -> Tasks.names().indexOf(t))).toList();
        return new Averages(byMethod, tasks);
    }

    /** A config variant's name as tables and charts show it: SymTune is marked as our reconstruction. */
    private static String label(String variant, String method) {
        return method.equals("symtune") ? variant + " (reconstruction)" : variant;
    }

    /**
     * The committed results of a table on a backbone ({@code reproduce/results/runs}), as they are: no
     * training. The notebooks show the bert-base GLUE and QA tables from these at every scale.
     */
    public static Runs committed(String table, String backbone) {
        return new Runs(table, backbone, "committed", Results.load(Experiments.committed().resolve(table).resolve(backbone)), Map.of());
    }

    /**
     * The table of committed runs with each paper's claim beside ours as a difference to full
     * fine-tuning ({@link ResultsCommand#markdown}); HTML and text.
     */
    public static Renderable claims(Runs runs) {
        return rendered(ResultsCommand.markdown(ResultsCommand.rows(runs.results(), runs.backbone()), runs.table(), runs.backbone()));
    }

    /**
     * The committed probes of a backbone ({@code runs/probes/<backbone>}: what was tried for a method that
     * fell behind), each beside the GLUE or QA row of its method and full fine-tuning's ({@link ProbeTable}).
     */
    public static Renderable probes(String backbone) {
        return rendered(ProbeTable.markdown(ProbeTable.rows(Experiments.committed(), backbone), backbone));
    }

    /** This package's markdown ({@link MarkdownTable}) as HTML for notebooks and as text. */
    private static Renderable rendered(String md) {
        return new Renderable() {
            public String toHtml() { return MarkdownTable.toHtml(md); }
            public String toText() { return md; }
        };
    }

    /**
     * Average test score (over the tasks every method ran, {@link #commonAverages}) against the
     * trainable share of parameters (log axis: the shares span 0.01% to 100%).
     */
    public static XYChart scoreVsShare(Runs runs) {
        Averages a = commonAverages(runs);
        XYChart c = new XYChartBuilder().width(640).height(420).title("score vs trainable share (" + runs.backbone() + ")")
                .xAxisTitle("trainable share of parameters (%, log scale)").yAxisTitle(a.axisTitle()).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        c.getStyler().setXAxisLogarithmic(true);
        for (var e : a.byMethod().entrySet()) {
            double score = a.score(e.getKey());
            double share = 100 * e.getValue().get(0).json().get("trainable_share").getAsDouble();
            if (Double.isNaN(score) || !(share > 0)) continue;
            c.addSeries(label(e.getKey(), e.getValue().get(0).method()), new double[]{share}, new double[]{score}).setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    /** The config's own name (e.g. {@code lora}, {@code symtune-no-fusion}): method plus variant. */
    static String variant(ExperimentResult r) {
        String id = r.configId();
        return id.substring(id.lastIndexOf('/') + 1);
    }

    static double std(List<Double> v) {
        double mu = v.stream().mapToDouble(d -> d).average().orElse(0), s = 0;
        for (double d : v) s += (d - mu) * (d - mu);
        return Math.sqrt(s / (v.size() - 1));
    }
}
