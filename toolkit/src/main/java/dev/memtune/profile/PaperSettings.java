package dev.memtune.profile;

import dev.memtune.methods.Methods;
import dev.memtune.papers.PaperNumbers;

import java.io.PrintStream;
import java.util.*;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The papers' memory tables reproduced with the profiler.
 * <ul>
 *   <li>{@code lst-t5}: LST Table 1's memory column, t5-base, length 128, fp32, text-to-text;
 *       the paper's batch is 100; when full fine-tuning does not fit here the largest batch that
 *       fits for every method is used and printed.</li>
 *   <li>{@code meft-bert}: MEFT's activation memory, bert-base, length 512, batch 8, per method and
 *       against depth (4, 8, 12 layers).</li>
 * </ul>
 * "train GB" is peak resident minus the resident baseline before the model was built (what
 * {@code torch.cuda.max_memory_allocated} counts on a GPU: tensors only, not the runtime).
 */
public final class PaperSettings {
    /** LST Table 1's memory column, GB, as text ("n/a" where the paper gives none), from {@code reproduce/papers/lst.json}. */
    static String lstPaperGb(String method) { return PaperNumbers.of("lst").cell(method, "train_memory_gb", "%.1f"); }

    /** LST Table 1's memory as a ratio to full fine-tuning (a range where the paper reports one), from {@code reproduce/papers/lst.json}. */
    static String lstPaperRatio(String method) {
        if (method.equals("full")) return "1.00";
        var ratios = PaperNumbers.of("lst").json().getAsJsonObject("ratios_to_full");
        if (ratios == null || !ratios.has(method)) return "n/a";
        var v = ratios.get(method);
        if (v.isJsonArray()) return String.format(Locale.ROOT, "%.2f-%.2f", v.getAsJsonArray().get(0).getAsDouble(), v.getAsJsonArray().get(1).getAsDouble());
        return String.format(Locale.ROOT, "%.2f", v.getAsDouble());
    }

    /** MEFT's activation-memory claim ("up to 84%"), from {@code reproduce/papers/meft.json}. */
    static String meftClaim() {
        for (var c : PaperNumbers.of("meft").json().getAsJsonArray("claims"))
            if (c.isJsonObject() && c.getAsJsonObject().get("claim").getAsString().startsWith("activation memory"))
                return c.getAsJsonObject().get("claim").getAsString();
        return "n/a";
    }

    private PaperSettings() {}

    /**
     * The methods of LST Table 1 with the settings of the LST code (ylsung/Ladder-Side-Tuning, {@code seq2seq/configs}):
     * Adapters with reduction factor 16 after every self-attention and feed-forward sub-layer of encoder and decoder (none
     * after cross-attention), the backbone's layer norms trained with them ({@code unfreeze_layer_norms}); LoRA rank 32,
     * alpha 32, dropout 0.1 on q and v of every attention. Not modelled: the LoRA script's {@code bitfit} adds trainable
     * biases to T5's linear layers, which save no activations.
     */
    public static final List<String> LST_TABLE_METHODS = List.of("full",
            "adapter:reduction_factor=16:non_linearity=gelu_new:after_cross_attention=false:unfreeze_layer_norms=true",
            "lora:r=32:lora_alpha=32:lora_dropout=0.1", "bitfit", "lst");

    /** LST table: returns the results (one per method) after printing. */
    public static List<ProfileResult> lstT5(MemoryProfiler p, int batch, List<Integer> fallbacks, PrintStream out, Consumer<String> log) {
        List<String> methods = available(LST_TABLE_METHODS);
        Workload base = new Workload("t5-base", "full", batch, 128, "lm", 8, 0, 42);
        List<Integer> tries = new ArrayList<>();
        tries.add(batch);
        for (int f : fallbacks) if (f < batch) tries.add(f);
        List<ProfileResult> rs = null;
        for (int b : tries) {
            log.accept("lst-t5: full fine-tuning at batch " + b + " ...");
            ProfileResult full = p.profile(base.withBatch(b));
            if (!full.ok()) { log.accept("  batch " + b + ": " + full.status() + " (" + full.reason() + ")"); continue; }
            rs = new ArrayList<>(List.of(full));
            for (String m : methods) {
                if (m.equals("full")) continue;
                log.accept("lst-t5: " + m + " at batch " + b + " ...");
                rs.add(p.profile(base.withBatch(b).withMethod(m)));
            }
            break;
        }
        if (rs == null) { out.println("lst-t5: full fine-tuning fits at none of the batches " + tries); return List.of(); }
        int used = rs.get(0).workload().batch();
        out.printf("LST Table 1 memory, t5-base, len 128 (decoder %d), fp32, batch %d%s%n", base.decSeq(), used,
                used == batch ? "" : " (the paper's batch " + batch + " did not fit in this machine's memory; largest batch that fit)");
        out.printf("%-8s %9s %9s %9s %12s %9s %9s %10s%n", "method", "peak GB", "train GB", "ratio", "paper GB", "paper r", "model GB", "act GB");
        double fullTrain = train(rs.get(0));
        for (ProfileResult r : rs) {
            String m = Methods.specName(r.workload().method());
            String paper = lstPaperGb(m);
            String pr = lstPaperRatio(m);
            if (!r.ok()) { out.printf("%-8s %s: %s%n", m, r.status(), r.reason()); continue; }
            MemoryModel.Estimate e = r.estimate();
            out.printf("%-8s %9.2f %9.2f %9.2f %12s %9s %9s %10.2f%n", m, r.peak() / MemoryProfiler.GB, train(r),
                    train(r) / fullTrain, paper, pr, e == null || e.peak() < 0 ? "n/a" : String.format("%.2f", e.peak() / MemoryProfiler.GB),
                    r.activations() / MemoryProfiler.GB);
        }
        int paperBatch = 100;
        out.printf("%nanalytic model at the paper's batch %d (not measured here; dropout keeps a 1-byte mask, here as on the papers' GPUs):%n"
                + "%-8s %11s %9s %12s %9s%n", paperBatch, "method", "model GB", "ratio", "paper GB", "paper r");
        double fullModel = Double.NaN;
        for (ProfileResult r : rs) {
            String m = Methods.specName(r.workload().method());
            MemoryModel.Estimate e;
            try {
                e = MemoryModel.estimate(r.workload().withBatch(paperBatch), r.params(), r.trainable());
            } catch (RuntimeException ex) { e = null; }
            if (e == null || !r.ok() || e.peak() < 0) { out.printf("%-8s %11s%n", m, "n/a"); continue; }
            if (m.equals("full")) fullModel = e.peak();
            out.printf("%-8s %11.2f %9.2f %12s %9s%n", m, e.peak() / MemoryProfiler.GB, e.peak() / fullModel, lstPaperGb(m), lstPaperRatio(m));
        }
        out.println("settings (the LST code's, seq2seq/configs):");
        for (ProfileResult r : rs)
            if (r.workload().method().contains(":")) out.println("  " + r.workload().method());
        out.println("  (LoRA's bitfit biases of the LST code are not added: T5 has no biases here, and trainable biases save no activations)");
        return rs;
    }

    /** MEFT table: activation memory per method at bert-base/512/8 and against depth. */
    public static List<ProfileResult> meftBert(MemoryProfiler p, int batch, int seq, PrintStream out, Consumer<String> log) {
        List<String> methods = available(List.of("full", "lora", "adapter", "lst", "meft1", "meft2", "meft3"));
        Workload base = new Workload("bert-base", "full", batch, seq, "classification", 8, 0, 42);
        List<ProfileResult> rs = new ArrayList<>();
        for (String m : methods) {
            log.accept("meft-bert: " + m + " ...");
            rs.add(p.profile(base.withMethod(m)));
        }
        out.printf("MEFT activation memory, bert-base, len %d, batch %d, fp32 (activations = peak - resident before the step)%n", seq, batch);
        out.printf("%-8s %9s %14s %12s %12s %9s%n", "method", "peak GB", "activations GB", "reduction", "model act GB", "diff GB");
        double fullAct = rs.get(0).ok() ? rs.get(0).activations() : Double.NaN;
        for (ProfileResult r : rs) printAct(out, r, fullAct);
        out.println("(paper: " + meftClaim() + ")");
        if (batch != 8 || seq != 512) {
            out.printf("%nanalytic model at the paper's setting (batch 8, len 512; not measured here):%n%-8s %14s %12s%n", "method", "model act GB", "reduction");
            double fm = Double.NaN;
            for (ProfileResult r : rs) {
                MemoryModel.Replay e = MemoryModel.replay(new Workload("bert-base", r.workload().method(), 8, 512, "classification", 8, 0, 42));
                if (e == null) { out.printf("%-8s %14s%n", r.workload().method(), "n/a"); continue; }
                double act = e.saved() + e.transientBytes();
                if (r.workload().method().equals("full")) fm = act;
                out.printf("%-8s %14.3f %11.1f%%%n", r.workload().method(), act / MemoryProfiler.GB, 100 * (1 - act / fm));
            }
        }
        List<String> depthMethods = new ArrayList<>(List.of("full"));
        for (String m : List.of("meft1", "lst")) if (methods.contains(m)) depthMethods.add(m);
        out.printf("%nactivation memory against depth (layers 4, 8, 12)%n%-8s %8s %14s %12s%n", "method", "layers", "activations GB", "model act GB");
        for (String m : depthMethods) {
            for (int layers : List.of(4, 8, 12)) {
                ProfileResult r = layers == 12 ? find(rs, m) : null;
                if (r == null) { log.accept("meft-bert: " + m + " with " + layers + " layers ..."); r = p.profile(base.withMethod(m).withLayers(layers)); rs.add(r); }
                MemoryModel.Estimate e = r.estimate();
                out.printf("%-8s %8d %14s %12s%n", m, layers, r.ok() ? String.format("%.3f", r.activations() / MemoryProfiler.GB) : r.status(),
                        e == null || e.activations() < 0 ? "n/a" : String.format("%.3f", e.activations() / MemoryProfiler.GB));
            }
        }
        return rs;
    }

    private static void printAct(PrintStream out, ProfileResult r, double fullAct) {
        String m = r.workload().method();
        if (!r.ok()) { out.printf("%-8s %s: %s%n", m, r.status(), r.reason()); return; }
        MemoryModel.Estimate e = r.estimate();
        boolean has = e != null && e.activations() >= 0;
        out.printf("%-8s %9.2f %14.3f %11.1f%% %12s %9s%n", m, r.peak() / MemoryProfiler.GB, r.activations() / MemoryProfiler.GB,
                100 * (1 - r.activations() / fullAct), has ? String.format("%.3f", e.activations() / MemoryProfiler.GB) : "n/a",
                has ? String.format("%+.3f", (r.activations() - e.activations()) / MemoryProfiler.GB) : "n/a");
    }

    private static ProfileResult find(List<ProfileResult> rs, String m) {
        for (ProfileResult r : rs) if (r.workload().method().equals(m) && r.workload().layers() == 0) return r;
        return null;
    }

    static double train(ProfileResult r) { return (r.peak() - r.baselineRss()) / MemoryProfiler.GB; }

    private static List<String> available(List<String> wanted) {
        List<String> out = new ArrayList<>();
        for (String m : wanted) if (Methods.available(m)) out.add(m);
        return out;
    }
}
