package dev.memtune.profile;

import dev.memtune.methods.Methods;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Notebook-friendly profiler API: measure workloads (each in a fresh child JVM), get a Tablesaw
 * table and an XChart stacked bar chart of the memory breakdown.
 * <pre>
 *   MemoryProfiler p = MemoryProfiler.builder().optSteps(3).build();
 *   List&lt;ProfileResult&gt; rs = p.profileMethods(Workload.of("bert-base", "full", 8, 128), Methods.names());
 *   display(MemoryProfiler.table(rs)); display(MemoryProfiler.chart(rs));
 * </pre>
 */
public final class MemoryProfiler {
    static final double GB = 1e9;                  // the papers' GB (torch.cuda.max_memory_allocated / 1e9)

    private final int steps;
    private final String dtype, xmx;
    private final long maxRss, timeoutSeconds;
    private final boolean setToNone;

    private MemoryProfiler(Builder b) {
        steps = b.steps; dtype = b.dtype; xmx = b.xmx; maxRss = b.maxRss; timeoutSeconds = b.timeoutSeconds; setToNone = b.setToNone;
    }

    /** Whether the measured steps drop gradients (set_to_none=True) rather than zero them in place (the default here). */
    public boolean setToNone() { return setToNone; }

    public static Builder builder() { return new Builder(); }

    /** Measures one workload in a child JVM and attaches the analytic estimate. */
    public ProfileResult profile(Workload w) {
        ProfileResult r = ChildJvm.run(w, steps, dtype, xmx, maxRss, timeoutSeconds, setToNone);
        try {
            return r.withEstimate(r.ok() ? MemoryModel.estimate(w, r.params(), r.trainable()) : MemoryModel.estimate(w, 0, 0));
        } catch (RuntimeException e) {
            return r;                                   // method unavailable here: measurement only
        }
    }

    /** One workload per method name. */
    public List<ProfileResult> profileMethods(Workload w, List<String> methods) {
        List<ProfileResult> out = new ArrayList<>();
        for (String m : methods) out.add(profile(w.withMethod(m)));
        return out;
    }

    /** One row per result: measured breakdown (GB = 1e9 bytes), the model's activations and the difference. */
    public static Table table(List<ProfileResult> rs) {
        StringColumn method = StringColumn.create("method"), status = StringColumn.create("status");
        IntColumn batch = IntColumn.create("batch"), seq = IntColumn.create("seq"), layers = IntColumn.create("layers");
        DoubleColumn peak = DoubleColumn.create("peak GB"), weights = DoubleColumn.create("weights GB"),
                grads = DoubleColumn.create("grads GB"), opt = DoubleColumn.create("optimizer GB"),
                runtime = DoubleColumn.create("runtime GB"), act = DoubleColumn.create("activations GB"),
                est = DoubleColumn.create("model act GB"), diff = DoubleColumn.create("diff GB"),
                step = DoubleColumn.create("step s"), tps = DoubleColumn.create("tokens/s");
        for (ProfileResult r : rs) {
            method.append(r.workload().method());
            status.append(r.ok() ? "ok" : r.status());
            batch.append(r.workload().batch());
            seq.append(r.workload().seq());
            layers.append(r.workload().config().numLayers());
            MemoryModel.Estimate e = r.estimate();
            double ea = e == null || e.activations() < 0 ? Double.NaN : e.activations() / GB;
            est.append(ea);
            if (!r.ok()) {
                for (DoubleColumn c : List.of(peak, weights, grads, opt, runtime, act, diff, step, tps)) c.appendMissing();
                continue;
            }
            peak.append(r.peak() / GB);
            weights.append(r.weights() / GB);
            grads.append(r.grads() / GB);
            opt.append(r.optimizer() / GB);
            runtime.append((r.staticRss() - r.staticTensors()) / GB);
            act.append(r.activations() / GB);
            diff.append(Double.isNaN(ea) ? Double.NaN : r.activations() / GB - ea);
            step.append(r.stepSeconds());
            tps.append(r.tokensPerSecond());
        }
        for (DoubleColumn c : List.of(peak, weights, grads, opt, runtime, act, est, diff, step, tps))
            for (int i = 0; i < c.size(); i++) if (!c.isMissing(i)) c.set(i, Math.round(c.getDouble(i) * 1000) / 1000.0);
        return Table.create("memory per method", method, status, batch, seq, layers, peak, weights, grads, opt, runtime, act, est, diff, step, tps);
    }

    /** Stacked bars per method: weights, gradients, optimizer state, runtime, activations (GB). */
    public static CategoryChart chart(List<ProfileResult> rs) {
        CategoryChart c = new CategoryChartBuilder().width(820).height(420).title("Training memory breakdown")
                .xAxisTitle("method").yAxisTitle("GB (1e9 bytes)").build();
        c.getStyler().setStacked(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        List<String> names = new ArrayList<>();
        List<Double> w = new ArrayList<>(), g = new ArrayList<>(), o = new ArrayList<>(), rt = new ArrayList<>(), a = new ArrayList<>();
        for (ProfileResult r : rs) {
            if (!r.ok()) continue;
            names.add(Methods.specName(r.workload().method()) + (r.workload().layers() > 0 ? "/" + r.workload().layers() + "L" : ""));
            w.add(r.weights() / GB);
            g.add(r.grads() / GB);
            o.add(r.optimizer() / GB);
            rt.add(Math.max(0, r.staticRss() - r.staticTensors()) / GB);
            a.add(Math.max(0, r.activations()) / GB);
        }
        if (names.isEmpty()) throw new IllegalArgumentException("chart: no successful measurement to draw");
        c.addSeries("weights", names, w);
        c.addSeries("gradients", names, g);
        c.addSeries("optimizer", names, o);
        c.addSeries("runtime + JVM", names, rt);
        c.addSeries("activations", names, a);
        return c;
    }

    /** Options: steps (>= 2), dtype, the child's -Xmx, the resident-memory cap and a timeout. */
    public static final class Builder {
        private int steps = 3;
        private String dtype = "fp32", xmx = "768m";
        private boolean setToNone;
        private long maxRss = ChildJvm.defaultMaxRss(), timeoutSeconds = 3600;

        public Builder optSteps(int s) {
            if (s < 2) throw new IllegalArgumentException("steps must be >= 2 (one warm-up, then measured), got " + s);
            steps = s;
            return this;
        }

        public Builder optDtype(String d) { dtype = d; return this; }

        /**
         * Gradients of the measured steps: dropped at each step's start ({@code true}, PyTorch 2's and HF's
         * {@code zero_grad(set_to_none=True)}, what training does) or zeroed in place ({@code false}, the
         * default here: PyTorch 1's {@code zero_grad()}, as in the papers' runs, so the gradients count as
         * static memory and activations = peak - static).
         */
        public Builder optSetToNone(boolean on) { setToNone = on; return this; }

        public Builder optXmx(String x) { xmx = x; return this; }

        /** Kill the child above this many resident bytes (0 = no cap); default MemAvailable - 1.5 GiB (at least 85% of it). */
        public Builder optMaxRss(long bytes) { maxRss = bytes; return this; }

        public Builder optTimeoutSeconds(long s) { timeoutSeconds = s; return this; }

        public MemoryProfiler build() { return new MemoryProfiler(this); }
    }
}
