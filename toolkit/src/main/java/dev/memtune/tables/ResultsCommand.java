package dev.memtune.tables;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.data.Task;
import dev.memtune.data.Tasks;
import dev.memtune.train.ExperimentResult;
import dev.memtune.train.Experiments;
import dev.memtune.train.Results;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * {@code memtune results glue|qa --backbone B [--format json|md] [--dir DIR]}: the table of the
 * committed results ({@code reproduce/results/runs/<table>/<backbone>/<method>/<task>/seed<k>.json}),
 * one row per (method, task, seed); the md form adds each method's average over tasks, its difference
 * to full fine-tuning and the paper's claim beside it.
 */
public final class ResultsCommand implements Command {
    public String summary() { return "the accuracy table of committed results (glue, qa) or its probes: one row per method, task and seed"; }

    public String usage() {
        return """
                usage: memtune results glue|qa|probes [--backbone bert-base] [--format md|json] [--dir DIR]
                  Reads DIR/<table>/<backbone>/*/<task>/seed<k>.json (DIR: reproduce/results/runs, where the
                  grids commit each run as it lands) and prints
                    json: a list of rows {method, task, seed, test_score, test_metrics, validation_score,
                          best_epoch, epochs, train_seconds, trainable_share, peak_rss_bytes}; scores x100
                          (RTE accuracy, MRPC mean of F1 and accuracy, STS-B mean of Pearson and Spearman,
                          CoLA Matthews, QA accuracy), test_metrics every metric by name x100;
                    md:   per method and task the test score (mean ± sd over seeds), the average over the
                          tasks every method has, its difference to full fine-tuning, the paper's claim as a
                          difference to full fine-tuning, and machine time.
                  probes: the runs of DIR/probes/<backbone> (configs in reproduce/configs/probes/: what was tried
                          for a method that fell behind), each beside the glue or qa row of the same method,
                          task and seed and beside full fine-tuning's; json adds probe, description,
                          table_validation_score, table_test_score, full_validation_score, full_test_score.""";
    }

    public int run(Args a) throws Exception {
        if (a.positional().size() != 1) throw new IllegalArgumentException("memtune results: give one table, glue, qa or probes");
        String table = a.positional().get(0);
        String backbone = a.get("backbone", "bert-base");
        String format = a.get("format", "md");
        Path dir = Path.of(a.get("dir", Experiments.committed().toString()));
        a.rejectUnknown();
        if (!List.of("glue", "qa", "probes").contains(table)) throw new IllegalArgumentException("memtune results: table must be glue, qa or probes, got '" + table + "'");
        if (!List.of("md", "json").contains(format)) throw new IllegalArgumentException("memtune results: --format must be md or json, got '" + format + "'");
        Path where = dir.resolve(table).resolve(backbone);
        if (!Files.isDirectory(where)) throw new IllegalArgumentException("memtune results: no results in " + where + " (train them with reproduce/memtune train, or a grid in reproduce/grids)");
        boolean probes = table.equals("probes");
        List<JsonObject> rows = probes ? ProbeTable.rows(dir, backbone) : rows(Results.load(where), backbone);
        System.out.println(format.equals("json") ? new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().create().toJson(toArray(rows))
                : probes ? ProbeTable.markdown(rows, backbone) : markdown(rows, table, backbone));
        return 0;
    }

    /** One row per result, sorted by method then task then seed. */
    public static List<JsonObject> rows(List<ExperimentResult> results, String backbone) {
        List<JsonObject> out = new ArrayList<>();
        for (ExperimentResult r : results) {
            JsonObject j = r.json(), o = new JsonObject();
            String id = r.configId();
            o.addProperty("method", id.startsWith(backbone + "/") ? id.substring(backbone.length() + 1) : id);
            o.addProperty("task", r.task());
            o.addProperty("seed", r.seed());
            o.addProperty("test_score", 100 * r.testScore());
            JsonObject tm = new JsonObject();
            if (j.has("test") && j.get("test").isJsonObject())
                for (var e : j.getAsJsonObject("test").entrySet()) tm.addProperty(e.getKey(), 100 * e.getValue().getAsDouble());
            o.add("test_metrics", tm);
            o.addProperty("validation_score", 100 * r.bestValidationScore());
            o.addProperty("best_epoch", j.get("best_epoch").getAsInt());
            o.addProperty("epochs", j.getAsJsonArray("epochs").size());
            o.addProperty("train_seconds", j.get("train_seconds").getAsDouble());
            o.addProperty("trainable_share", j.get("trainable_share").getAsDouble());
            o.addProperty("peak_rss_bytes", r.peakRssBytes());
            out.add(o);
        }
        out.sort(Comparator.comparing((JsonObject o) -> o.get("method").getAsString()).thenComparing(o -> o.get("task").getAsString())
                .thenComparingInt(o -> o.get("seed").getAsInt()));
        return out;
    }

    private static JsonArray toArray(List<JsonObject> rows) {
        JsonArray a = new JsonArray();
        rows.forEach(a::add);
        return a;
    }

    /** Task columns in the papers' order (GLUE's small tasks as LST lists them, then QA). */
    static final List<String> TASK_ORDER = List.of("rte", "mrpc", "stsb", "cola", "openbookqa", "piqa", "arc-easy", "arc-challenge", "sciq", "copa");

    /**
     * The QA table's columns whether or not they ran: MEFT's five QA tasks (OpenBookQA, PIQA, ARC-Easy,
     * ARC-Challenge, SciQ) and COPA; one without a run is n/a, with the reason under the table.
     */
    static final List<String> QA_TASKS = List.of("openbookqa", "piqa", "arc-easy", "arc-challenge", "sciq", "copa");

    static final List<String> ORDER = List.of("full", "bitfit", "lora", "adapter", "lst", "meft1", "meft2", "meft3", "symtune");

    /**
     * Per method: test score per task (mean ± sd over seeds); the average over every task that ran and its difference
     * to full fine-tuning ({@code —} for a method that lacks a task; the column shows once full fine-tuning has every
     * task and another method has not); the average over the tasks every method has, its difference to full; the paper's claim.
     */
    public static String markdown(List<JsonObject> rows, String table, String backbone) {
        return markdown(rows, table, backbone, Tasks.dataDir());
    }

    /** As {@link #markdown(List, String, String)}; {@code dataDir} tells a QA task that is not staged from one not run yet. */
    static String markdown(List<JsonObject> rows, String table, String backbone, Path dataDir) {
        Map<String, Map<String, List<Double>>> score = new TreeMap<>(Comparator.comparingInt((String m) -> ORDER.indexOf(m) < 0 ? 99 : ORDER.indexOf(m)).thenComparing(m -> m));
        Map<String, Double> seconds = new HashMap<>();
        Set<String> tasks = new TreeSet<>(Comparator.comparingInt((String t) -> TASK_ORDER.indexOf(t) < 0 ? 99 : TASK_ORDER.indexOf(t)).thenComparing(t -> t));
        for (JsonObject o : rows) {
            String m = o.get("method").getAsString(), t = o.get("task").getAsString();
            score.computeIfAbsent(m, k -> new TreeMap<>()).computeIfAbsent(t, k -> new ArrayList<>()).add(o.get("test_score").getAsDouble());
            seconds.merge(m, o.get("train_seconds").getAsDouble(), Double::sum);
            tasks.add(t);
        }
        List<String> notRun = new ArrayList<>();
        if (table.equals("qa")) for (String t : QA_TASKS) if (tasks.add(t)) notRun.add(t);
        List<String> common = new ArrayList<>();
        for (String t : tasks) if (!notRun.contains(t) && score.values().stream().allMatch(s -> s.containsKey(t))) common.add(t);
        Map<String, Double> avg = new HashMap<>();
        score.forEach((m, s) -> avg.put(m, common.isEmpty() ? Double.NaN : common.stream().mapToDouble(t -> mean(s.get(t))).average().orElse(Double.NaN)));
        // the average over every task that ran, for the methods that have them all, once full fine-tuning has them all and some method has not
        List<String> ran = tasks.stream().filter(t -> !notRun.contains(t)).toList();
        boolean allColumn = common.size() < ran.size() && score.containsKey("full") && score.get("full").keySet().containsAll(ran);
        Map<String, Double> all = new HashMap<>();
        score.forEach((m, s) -> all.put(m, s.keySet().containsAll(ran) ? ran.stream().mapToDouble(t -> mean(s.get(t))).average().orElse(Double.NaN) : Double.NaN));
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(table).append(" on ").append(backbone).append(": test scores x100 (mean ± sd over seeds; seeds in brackets)\n\n");
        sb.append("| method |");
        for (String t : tasks) sb.append(' ').append(t).append(" |");
        if (allColumn) sb.append(" avg (all ").append(ran.size()).append(" tasks) | Δ vs full |");
        sb.append(" avg (").append(common.isEmpty() ? "no task run by every method yet" : String.join(", ", common))
                .append(") | Δ vs full | paper: Δ vs full | paper's claim | machine time |\n|---|");
        sb.append("---|".repeat(tasks.size() + 5 + (allColumn ? 2 : 0))).append('\n');
        double full = avg.getOrDefault("full", Double.NaN);
        for (var e : score.entrySet()) {
            String m = e.getKey();
            sb.append("| ").append(m.equals("symtune") ? "symtune (reconstruction)" : m).append(" |");
            for (String t : tasks) {
                List<Double> v = e.getValue().get(t);
                sb.append(' ').append(notRun.contains(t) ? "n/a" : v == null ? "—" : v.size() == 1 ? fmt(v.get(0)) : fmt(mean(v)) + " ± " + fmt(sd(v)) + " [" + v.size() + "]").append(" |");
            }
            Claims.Claim c = table.equals("qa") ? Claims.qa(m) : Claims.glue(m);
            if (allColumn) sb.append(' ').append(Double.isNaN(all.get(m)) ? "—" : fmt(all.get(m))).append(" | ")
                    .append(Double.isNaN(all.get(m)) ? "—" : m.equals("full") ? "0" : String.format(Locale.ROOT, "%+.1f", all.get(m) - all.get("full"))).append(" |");
            sb.append(' ').append(fmt(avg.get(m))).append(" | ").append(m.equals("full") ? "0" : delta(e.getValue(), score.get("full"), avg.get(m) - full))
                    .append(" | ").append(c.delta()).append(" | ").append(c.text()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f min", seconds.get(m) / 60)).append(" |\n");
        }
        double total = seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        sb.append(String.format(Locale.ROOT, "%nruns: %d; machine time of the runs: %.1f h%n", rows.size(), total / 3600));
        for (String t : notRun) sb.append(notRunNote(t, backbone, dataDir)).append('\n');
        return sb.toString();
    }

    /** Why a QA column is n/a: its training split is not in the data folder (and how to fetch it), or no run is committed yet. */
    static String notRunNote(String task, String backbone, Path dataDir) {
        Task tk = Tasks.get(task);
        List<String> absent = tk.splits().contains("train") ? tk.files("train").stream().filter(f -> !Files.isRegularFile(dataDir.resolve(f))).toList() : List.of("train");
        if (!absent.isEmpty())
            return "- " + task + ": n/a, its training split is not staged (no " + String.join(", ", absent) + " in " + dataDir
                    + "): reproduce/memtune fetch-data --task " + task + " where a network is reachable";
        return "- " + task + ": n/a, no committed run on " + backbone + " yet";
    }

    /**
     * The difference to full fine-tuning: of the averages over the common tasks when there are any, else the
     * mean paired difference over the tasks this method shares with full, naming them; n/a without any.
     */
    static String delta(Map<String, List<Double>> own, Map<String, List<Double>> full, double ofAverages) {
        if (!Double.isNaN(ofAverages)) return String.format(Locale.ROOT, "%+.1f", ofAverages);
        if (full == null) return "n/a";
        List<String> shared = new ArrayList<>();
        for (String t : own.keySet()) if (full.containsKey(t)) shared.add(t);
        if (shared.isEmpty()) return "n/a";
        double d = shared.stream().mapToDouble(t -> mean(own.get(t)) - mean(full.get(t))).average().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%+.1f (%s)", d, String.join(", ", shared));
    }

    static String fmt(double v) { return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v); }

    static double mean(List<Double> v) { return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN); }

    static double sd(List<Double> v) {
        double m = mean(v);
        return v.size() < 2 ? 0 : Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1));
    }
}
