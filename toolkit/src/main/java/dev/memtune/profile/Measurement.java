package dev.memtune.profile;

import dev.memtune.sys.ProcMemory;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.NoGrad;
import dev.memtune.nn.Param;
import dev.memtune.step.AdamW;
import dev.memtune.step.StepSetup;
import dev.memtune.step.TrainStep;

import java.util.*;

/**
 * The measurement itself, run inside the child JVM (or in-process by tests): resident memory before
 * the model exists, after it and its optimizer are built, after a warm-up step (gradients and
 * optimizer state now exist), then the peak over the measured steps after a VmHWM reset.
 */
public final class Measurement {
    private Measurement() {}

    /** Runs {@code steps} (>= 2) training steps of {@code w}; the first is warm-up, the rest are measured. */
    public static ProfileResult run(Workload w, int steps, String dtype) {
        if (steps < 2) throw new IllegalArgumentException("--steps must be >= 2 (one warm-up, then measured steps), got " + steps);
        if (!dtype.equals("fp32")) throw new IllegalArgumentException("profile: --dtype " + dtype + " is not supported (fp32 only; see memtune bench for fp16)");
        try (NDManager nd = NDManager.newBaseManager()) {
            nd.zeros(new ai.djl.ndarray.types.Shape(1)).close();           // load the native engine before the baseline
            Engine.getInstance().setRandomSeed((int) w.seed());
            System.gc();
            long baseline = ProcMemory.residentBytes();
            // every position through every layer: the papers' memory tables measured code that computes them all
            try (TunedModel m = w.build().firstTokenLastLayer(false); Batch b = w.batch(nd); NDArray labels = w.labels(nd)) {
                StepSetup setup = StepSetup.defaults(m);
                Map<String, Param> trainable = setup.trainable();
                AdamW opt = setup.optimizer();
                long modelRss = ProcMemory.residentBytes();
                float first = TrainStep.run(m, opt, b, labels, 1e-4, 1.0);      // warm-up: grads now exist
                if (TrainStep.setToNone())                                      // they live from the backward to the update only:
                    try (NoGrad ng = NoGrad.enter()) { for (Param p : trainable.values()) p.clearGrad(); }   // not static
                System.gc();
                long staticRss = ProcMemory.residentBytes();
                boolean reset = ProcMemory.resetPeak();
                List<Double> times = new ArrayList<>();
                float last = first;
                for (int s = 1; s < steps; s++) {
                    long t0 = System.nanoTime();
                    last = TrainStep.run(m, opt, b, labels, 1e-4, 1.0);
                    times.add((System.nanoTime() - t0) / 1e9);
                }
                long peak = Math.max(ProcMemory.peakResidentBytes(), staticRss);
                long weights = 0, grads = 0;
                for (Param p : m.namedParams().values()) weights += p.data().getShape().size() * p.data().getDataType().getNumOfBytes();
                for (Param p : trainable.values()) if (p.grad() != null) grads += p.grad().getShape().size() * p.grad().getDataType().getNumOfBytes();
                double median = median(times);
                Runtime rt = Runtime.getRuntime();
                return new ProfileResult(w, steps, dtype, "ok", null, baseline, modelRss, staticRss, peak, weights, grads,
                        opt.stateBytes(), peak - staticRss, m.numParams(), m.numTrainable(), median, times,
                        w.tokensPerStep() / median, first, last, rt.totalMemory(), rt.maxMemory(), reset, null);
            }
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
