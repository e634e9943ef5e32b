package dev.memtune.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import dev.memtune.profile.MemoryModel;
import dev.memtune.profile.Workload;
import dev.memtune.step.AdamW;
import dev.memtune.step.StepSetup;
import dev.memtune.step.TrainStep;

import java.util.*;

/**
 * Times one method's training step ({@link TrainStep#run} with AdamW, the step training uses):
 * warm-up steps, then timed steps; median and spread, tokens/s, model FLOPs per step from
 * {@link MemoryModel#replay} (matmuls of forward and of the backward the method needs, attention
 * included), achieved GFLOP/s and MFU against a roof.
 */
public final class StepBench {
    /** One method's timing. {@code flops} is NaN when the architecture/method has no FLOP model. */
    public record Result(Workload workload, boolean firstToken, List<Double> times, double median, double min, double max,
                         double tokensPerSecond, double flops, double gflops, double mfu, float loss) {
        public JsonObject toJson() {
            JsonObject o = workload.toJson();
            o.addProperty("first_token_last_layer", firstToken);
            o.addProperty("median_seconds", median);
            o.addProperty("min_seconds", min);
            o.addProperty("max_seconds", max);
            o.addProperty("tokens_per_second", tokensPerSecond);
            o.addProperty("flops_per_step", flops);
            o.addProperty("gflops", gflops);
            o.addProperty("mfu", mfu);
            o.addProperty("loss", loss);
            o.add("times", new com.google.gson.Gson().toJsonTree(times));
            return o;
        }
    }

    private StepBench() {}

    /**
     * The workload's model; {@code firstToken}: a first-token head lets BERT's last layer run for that token only, as
     * training does ({@link TunedModel#firstTokenLastLayer}); false computes every position, as Hugging Face's model does.
     */
    private static TunedModel build(Workload w, boolean firstToken) { return w.build().firstTokenLastLayer(firstToken); }

    /**
     * Where one step's time goes (seconds, median of steps): zeroing the gradients, forward + loss,
     * backward, releasing the step's tensors (closing its scope frees the activations), gradient
     * clipping, the AdamW update.
     */
    public record Phases(double zeroGrad, double forward, double backward, double release, double clip, double optimizer) {
        public double total() { return zeroGrad + forward + backward + release + clip + optimizer; }
    }

    /**
     * The phases of {@link TrainStep#run}, timed apart through its {@link TrainStep.Phases} hook (the
     * real step, after warm-up). A {@code CustomBackward} model (MEFT) does its forward and backward in
     * one call: its forward time is 0 and its backward holds both.
     */
    public static Phases phases(Workload w, int warmup, int steps, boolean firstToken) {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = build(w, firstToken); Batch b = w.batch(nd); NDArray y = w.labels(nd)) {
            Engine.getInstance().setRandomSeed((int) w.seed());
            AdamW opt = StepSetup.defaults(m).optimizer();
            double[][] t = new double[TrainStep.Phase.values().length][steps];
            for (int i = -warmup; i < steps; i++) {
                long[] last = {System.nanoTime()};
                int at = i;
                TrainStep.run(m, opt, b, y, 1e-4, 1.0, p -> {
                    long now = System.nanoTime();
                    if (at >= 0) t[p.ordinal()][at] = (now - last[0]) / 1e9;
                    last[0] = now;
                });
            }
            return new Phases(med(t[0]), med(t[1]), med(t[2]), med(t[3]), med(t[4]), med(t[5]));
        }
    }

    /**
     * One training step after warm-up under libtorch's profiler (DJL's {@code JniUtils.startProfile}), its Chrome
     * trace written to {@code file} (open it in chrome://tracing or Perfetto; {@link OpTrace} sums it by op).
     */
    public static void trace(Workload w, int warmup, java.nio.file.Path file, boolean firstToken) {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = build(w, firstToken); Batch b = w.batch(nd); NDArray y = w.labels(nd)) {
            Engine.getInstance().setRandomSeed((int) w.seed());
            AdamW opt = StepSetup.defaults(m).optimizer();
            for (int i = 0; i < Math.max(1, warmup); i++) TrainStep.run(m, opt, b, y, 1e-4, 1.0);
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            try {
                TrainStep.run(m, opt, b, y, 1e-4, 1.0);
            } finally {
                ai.djl.pytorch.jni.JniUtils.stopProfile(file.toAbsolutePath().toString());
            }
        }
    }

    private static double med(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static Result run(Workload w, int warmup, int steps, double roofGflops, boolean firstToken) {
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = build(w, firstToken); Batch b = w.batch(nd); NDArray y = w.labels(nd)) {
            Engine.getInstance().setRandomSeed((int) w.seed());
            AdamW opt = StepSetup.defaults(m).optimizer();
            float loss = Float.NaN;
            for (int i = 0; i < warmup; i++) loss = TrainStep.run(m, opt, b, y, 1e-4, 1.0);
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                loss = TrainStep.run(m, opt, b, y, 1e-4, 1.0);
                times.add((System.nanoTime() - t0) / 1e9);
            }
            List<Double> s = new ArrayList<>(times);
            Collections.sort(s);
            double med = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
            MemoryModel.Replay r = MemoryModel.replay(w, firstToken);
            double flops = r == null ? Double.NaN : r.flops();
            double gf = flops / med / 1e9;
            return new Result(w, firstToken, times, med, s.get(0), s.get(s.size() - 1), w.tokensPerStep() / med, flops, gf, gf / roofGflops, loss);
        }
    }
}
