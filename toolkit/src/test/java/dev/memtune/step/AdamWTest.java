package dev.memtune.step;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.memtune.nn.Module;
import dev.memtune.nn.Param;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * AdamW against a hand-written double-precision Adam with decoupled weight decay (the update of
 * {@code torch.optim.AdamW}, written out from the paper), over several steps with fixed gradients,
 * plus the global-norm clipping of {@code torch.nn.utils.clip_grad_norm_}.
 */
class AdamWTest {
    /** A module with one decayed weight and one undecayed bias. */
    static final class Two extends Module {
        final Param w, b;
        Two(NDManager m) { super(m); w = param("weight", new Shape(3, 4)); b = param("bias", new Shape(4)); }
    }

    /** chunk 5 updates the 12-element weight in slices of 5, 5 and 2 (the bias, 4 elements, whole). */
    @ParameterizedTest(name = "lr={0} wd={1} b1={2} b2={3} chunk={4}")
    @CsvSource({"1e-3,0.0,0.9,0.999,262144", "1e-2,0.01,0.9,0.999,262144", "5e-3,0.1,0.8,0.99,262144", "1e-2,0.01,0.9,0.999,5", "5e-3,0.1,0.8,0.99,5"})
    void matchesDoublePrecisionReference(double lr, double wd, double b1, double b2, int chunk) {
        double eps = 1e-8;
        try (NDManager nd = NDManager.newBaseManager()) {
            Two mod = new Two(nd);
            Random r = new Random(3);
            float[] w0 = new float[12], bb0 = new float[4];
            for (int i = 0; i < 12; i++) w0[i] = (float) r.nextGaussian();
            for (int i = 0; i < 4; i++) bb0[i] = (float) r.nextGaussian();
            mod.w.set(nd.create(w0, new Shape(3, 4)));
            mod.b.set(nd.create(bb0, new Shape(4)));
            mod.setTrainable(n -> true);
            AdamW opt = new AdamW(mod.namedParams(), b1, b2, eps, wd).withChunk(chunk);
            double[][] p = {toD(w0), toD(bb0)}, m = {new double[12], new double[4]}, v = {new double[12], new double[4]};
            for (int t = 1; t <= 5; t++) {
                float[][] g = new float[2][];
                for (int k = 0; k < 2; k++) {
                    g[k] = new float[p[k].length];
                    for (int i = 0; i < g[k].length; i++) g[k][i] = (float) (r.nextGaussian() * (t % 2 == 0 ? 0.1 : 2.0));
                }
                setGrads(nd, mod, g[0], g[1]);
                opt.update(lr);
                for (int k = 0; k < 2; k++) {
                    boolean decay = k == 0;                       // bias is not decayed (HF grouping)
                    for (int i = 0; i < p[k].length; i++) {
                        m[k][i] = b1 * m[k][i] + (1 - b1) * g[k][i];
                        v[k][i] = b2 * v[k][i] + (1 - b2) * g[k][i] * g[k][i];
                        if (decay) p[k][i] -= lr * wd * p[k][i];
                        double mh = m[k][i] / (1 - Math.pow(b1, t)), vh = v[k][i] / (1 - Math.pow(b2, t));
                        p[k][i] -= lr * mh / (Math.sqrt(vh) + eps);
                    }
                }
                float[][] got = {mod.w.data().toFloatArray(), mod.b.data().toFloatArray()};
                for (int k = 0; k < 2; k++)
                    for (int i = 0; i < p[k].length; i++)
                        assertEquals(p[k][i], got[k][i], 1e-6 + 1e-5 * Math.abs(p[k][i]), "step " + t + " tensor " + k + " index " + i);
            }
            assertEquals(5, opt.step());
            assertEquals(2L * 16 * 4, opt.stateBytes());
        }
    }

    @ParameterizedTest(name = "max_norm={0}")
    @CsvSource({"0.5", "100"})
    void clipsToGlobalNorm(double maxNorm) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Two mod = new Two(nd);
            mod.setTrainable(n -> true);
            float[] gw = new float[12], gb = new float[4];
            double sq = 0;
            for (int i = 0; i < 12; i++) { gw[i] = i - 5.5f; sq += gw[i] * gw[i]; }
            for (int i = 0; i < 4; i++) { gb[i] = 2 * i; sq += gb[i] * gb[i]; }
            setGrads(nd, mod, gw, gb);
            double norm = AdamW.clipGradNorm(mod.trainableParams(), maxNorm);
            assertEquals(Math.sqrt(sq), norm, 1e-4);
            double scale = Math.min(1.0, maxNorm / (Math.sqrt(sq) + 1e-6));       // torch: max_norm / (total_norm + 1e-6), clamped to 1
            float[] after = mod.w.data().getGradient().toFloatArray();
            for (int i = 0; i < 12; i++) assertEquals(gw[i] * scale, after[i], 1e-5);
        }
    }

    /** Gradients equal to the given values: backward of sum(w * gw) + sum(b * gb). */
    static void setGrads(NDManager nd, Two mod, float[] gw, float[] gb) {
        mod.zeroGrad();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = mod.w.data().mul(nd.create(gw, new Shape(3, 4))).sum().add(mod.b.data().mul(nd.create(gb)).sum());
            gc.backward(l);
        }
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
