package dev.memtune.tables;

import dev.memtune.papers.PaperNumbers;
import dev.memtune.methods.Methods;
import dev.memtune.profile.MemoryProfiler;
import dev.memtune.profile.PaperSettings;
import dev.memtune.profile.ProfileResult;
import dev.memtune.profile.Workload;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.*;

/**
 * The papers' memory tables at a chosen scale, for the memory notebook. {@code cpu}/{@code paper}
 * run the papers' settings through {@link PaperSettings} (t5-base batch 100 x 128, falling back to the
 * largest batch that fits; bert-base 8 x 512); {@code smoke} runs the same measurement on small
 * settings (t5-small 2 x 32; bert-base 1 x 64) so the pipeline is exercised in minutes. Every
 * measurement runs in a fresh child JVM.
 */
public final class MemoryTables {
    private MemoryTables() {}

    static final List<String> LST_METHODS = PaperSettings.LST_TABLE_METHODS;
    static final List<String> MEFT_METHODS = List.of("full", "lora", "adapter", "lst", "meft1", "meft2", "meft3");

    private static MemoryProfiler profiler() { return MemoryProfiler.builder().optSteps(2).build(); }

    private static List<String> available(List<String> ms) { return ms.stream().filter(Methods::available).toList(); }

    /** LST Table 1's memory column (measured), one result per method. */
    public static List<ProfileResult> lst(String scale) {
        MemoryProfiler p = profiler();
        return switch (scale) {
            case "smoke" -> p.profileMethods(new Workload("t5-small", "full", 2, 32, "lm", 8, 0, 42), available(LST_METHODS));
            case "cpu" -> PaperSettings.lstT5(p, 100, List.of(64, 48, 32, 16, 8), System.out, System.err::println);
            case "paper" -> PaperSettings.lstT5(p, 100, List.of(), System.out, System.err::println);
            default -> throw new IllegalArgumentException("scale must be smoke, cpu or paper, got '" + scale + "'");
        };
    }

    /** MEFT's activation memory per method (measured), plus full/meft1/lst against depth 4, 8, 12 at smoke/cpu. */
    public static List<ProfileResult> meft(String scale) {
        MemoryProfiler p = profiler();
        return switch (scale) {
            case "smoke" -> {
                Workload w = new Workload("bert-base", "full", 1, 64, "classification", 8, 0, 42);
                List<ProfileResult> rs = new ArrayList<>(p.profileMethods(w, available(MEFT_METHODS)));
                for (String m : available(List.of("full", "meft1", "lst"))) rs.add(p.profile(w.withMethod(m).withLayers(4)));
                yield rs;
            }
            case "cpu", "paper" -> PaperSettings.meftBert(p, 8, 512, System.out, System.err::println);
            default -> throw new IllegalArgumentException("scale must be smoke, cpu or paper, got '" + scale + "'");
        };
    }

    /** Ours beside the paper: training memory (peak minus the resident baseline), ratio to full fine-tuning. */
    public static Table lstRatios(List<ProfileResult> rs) {
        PaperNumbers pn = PaperNumbers.of("lst");
        var ratios = pn.json().getAsJsonObject("ratios_to_full");
        Table t = Table.create("LST Table 1 memory: ours vs the paper (paper: t5-base, batch 100 x 128, GPU)",
                StringColumn.create("method"), StringColumn.create("setting"), StringColumn.create("ours train GB"),
                StringColumn.create("ours ratio"), StringColumn.create("paper GB"), StringColumn.create("paper ratio"), StringColumn.create("ratio diff"));
        ProfileResult full = rs.stream().filter(r -> r.workload().method().equals("full") && r.workload().layers() == 0 && r.ok()).findFirst().orElse(null);
        for (ProfileResult r : rs) {
            if (r.workload().layers() != 0) continue;
            String m = Methods.specName(r.workload().method());
            Workload w = r.workload();
            t.stringColumn("method").append(m);
            t.stringColumn("setting").append(w.backbone() + " " + w.batch() + "x" + w.seq()
                    + (w.method().contains(":") ? " " + w.method().substring(w.method().indexOf(':') + 1) : ""));
            if (!r.ok() || full == null) {
                for (String c : List.of("ours train GB", "ours ratio", "ratio diff")) t.stringColumn(c).append(r.ok() ? "n/a" : r.status());
            } else {
                double ours = train(r), ratio = ours / train(full);
                t.stringColumn("ours train GB").append(String.format(Locale.ROOT, "%.3f", ours));
                t.stringColumn("ours ratio").append(String.format(Locale.ROOT, "%.2f", ratio));
                double paperRatio = ratios.has(m) ? (ratios.get(m).isJsonArray()
                        ? (ratios.getAsJsonArray(m).get(0).getAsDouble() + ratios.getAsJsonArray(m).get(1).getAsDouble()) / 2
                        : ratios.get(m).getAsDouble()) : (m.equals("full") ? 1.0 : Double.NaN);
                t.stringColumn("ratio diff").append(Double.isNaN(paperRatio) ? "n/a" : String.format(Locale.ROOT, "%+.2f", ratio - paperRatio));
            }
            t.stringColumn("paper GB").append(pn.cell(m, "train_memory_gb", "%.1f"));
            String pr = m.equals("full") ? "1.00" : !ratios.has(m) ? "n/a" : ratios.get(m).isJsonArray()
                    ? ratios.getAsJsonArray(m).get(0).getAsString() + "-" + ratios.getAsJsonArray(m).get(1).getAsString() : ratios.get(m).getAsString();
            t.stringColumn("paper ratio").append(pr);
        }
        return t;
    }

    /** Activation memory per method and its reduction relative to full fine-tuning (MEFT: up to 84%). */
    public static Table meftActivations(List<ProfileResult> rs) {
        Table t = Table.create("MEFT activation memory (peak minus memory held outside the step)",
                StringColumn.create("method"), StringColumn.create("layers"), StringColumn.create("setting"),
                StringColumn.create("activations GB"), StringColumn.create("reduction vs full"), StringColumn.create("paper"));
        Map<Integer, Double> fullAct = new HashMap<>();
        for (ProfileResult r : rs) if (r.ok() && r.workload().method().equals("full")) fullAct.put(r.workload().layers(), (double) r.activations());
        for (ProfileResult r : rs) {
            Workload w = r.workload();
            t.stringColumn("method").append(w.method());
            t.stringColumn("layers").append(w.layers() == 0 ? "all" : Integer.toString(w.layers()));
            t.stringColumn("setting").append(w.backbone() + " " + w.batch() + "x" + w.seq());
            Double f = fullAct.get(w.layers());
            t.stringColumn("activations GB").append(r.ok() ? String.format(Locale.ROOT, "%.3f", r.activations() / 1e9) : r.status());
            t.stringColumn("reduction vs full").append(r.ok() && f != null ? String.format(Locale.ROOT, "%.0f%%", 100 * (1 - r.activations() / f)) : "n/a");
            t.stringColumn("paper").append(w.method().startsWith("meft") ? "up to 84% (MEFT, bert-base 8x512)" : "n/a");
        }
        return t;
    }

    /** Activation memory against depth, one line per method (flat for MEFT and LST, linear for full). */
    public static XYChart depthChart(List<ProfileResult> rs, int fullDepth) {
        XYChart c = new XYChartBuilder().width(640).height(400).title("activation memory against depth").xAxisTitle("layers").yAxisTitle("activations (GB)").build();
        Map<String, TreeMap<Integer, Double>> by = new LinkedHashMap<>();
        for (ProfileResult r : rs) {
            if (!r.ok()) continue;
            int l = r.workload().layers() == 0 ? fullDepth : r.workload().layers();
            by.computeIfAbsent(r.workload().method(), k -> new TreeMap<>()).put(l, r.activations() / 1e9);
        }
        by.forEach((m, pts) -> {
            if (pts.size() < 2) return;
            c.addSeries(m, pts.keySet().stream().mapToDouble(i -> i).toArray(), pts.values().stream().mapToDouble(d -> d).toArray());
        });
        return c;
    }

    static double train(ProfileResult r) { return (r.peak() - r.baselineRss()) / 1e9; }
}
