package dev.memtune.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Reduced precision on a real training op: forward and backward of a BERT FFN projection
 * ({@code [tokens, H] x [H, I]^T}, weight trainable) in fp32 and in fp16 with an fp32 master copy
 * (cast to fp16 for the matmul, loss scaled, gradient cast back), the inner loop of fp16 mixed
 * precision. (DJL's {@code toType} is not differentiable: the fp16 copy has to be the autograd leaf.) Tells
 * whether {@code --dtype fp16} can pay on this CPU before any model is changed.
 */
public final class PrecisionProbe {
    /** Seconds per fwd+bwd for fp32 and fp16-mixed, and their ratio (fp32 / fp16: > 1 means fp16 is faster). */
    public record Probe(long tokens, int in, int out, double fp32Seconds, double fp16Seconds, double speedup, double maxGradRelErr) {}

    static final float LOSS_SCALE = 1024f;

    private PrecisionProbe() {}

    public static Probe run(long tokens, int in, int out, int repeats) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NDArray x = nd.randomNormal(new Shape(tokens, in)), w = nd.randomNormal(0, 0.02f, new Shape(out, in), DataType.FLOAT32);
            double t32 = Double.MAX_VALUE, t16 = Double.MAX_VALUE;
            NDArray g32 = null, g16 = null;
            for (int r = 0; r < repeats; r++) {
                try (NDManager s = nd.newSubManager()) {
                    NDArray wm = w.duplicate(); wm.attach(s); wm.setRequiresGradient(true);
                    long t0 = System.nanoTime();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = x.matMul(wm.transpose());
                        gc.backward(y.square().mean());
                    }
                    t32 = Math.min(t32, (System.nanoTime() - t0) / 1e9);
                    if (g32 != null) g32.close();
                    g32 = wm.getGradient().duplicate(); g32.attach(nd);
                }
                try (NDManager s = nd.newSubManager()) {
                    long t0 = System.nanoTime();
                    // DJL's toType does not record autograd, so the fp16 copy is the leaf (classic mixed precision:
                    // fp16 working copy, fp32 master): cast W, forward/backward in fp16 with loss scaling, grad back to fp32.
                    NDArray w16 = w.toType(DataType.FLOAT16, false); w16.attach(s); w16.setRequiresGradient(true);
                    NDArray x16 = x.toType(DataType.FLOAT16, false); x16.attach(s);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = x16.matMul(w16.transpose());
                        gc.backward(y.square().mean().mul(LOSS_SCALE));
                    }
                    NDArray g = w16.getGradient().toType(DataType.FLOAT32, false).div(LOSS_SCALE);
                    t16 = Math.min(t16, (System.nanoTime() - t0) / 1e9);
                    if (g16 != null) g16.close();
                    g16 = g; g16.attach(nd);
                }
            }
            double err = g16.sub(g32).abs().max().getFloat() / Math.max(1e-30, g32.abs().max().getFloat());
            return new Probe(tokens, in, out, t32, t16, t32 / t16, err);
        }
    }
}
