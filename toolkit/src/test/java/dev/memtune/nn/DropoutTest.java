package dev.memtune.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.sys.ProcMemory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link F#dropout} with torch's masks against PyTorch's own {@code torch.dropout} (DJL's
 * {@code Dropout.dropout}): same outputs and input gradients bit for bit under the same seed. With
 * memtune's masks ({@link KeepMask}, the default): the output is {@code x s} where kept and 0 elsewhere,
 * the gradient {@code w s m} computed by hand from the forward's mask, the masks those of
 * {@link SplittableRandom} streams whatever the thread count, replayed under the same seed. Both: the
 * expectation and rate preserved, and what the backward holds is a 1-byte mask, not float32 noise.
 */
class DropoutTest {
    /** Runs {@code body} with {@code -Dmemtune.dropout_masks=source}, restoring the property after. */
    static <T> T withMasks(String source, java.util.function.Supplier<T> body) {
        String before = System.getProperty("memtune.dropout_masks");
        System.setProperty("memtune.dropout_masks", source);
        try { return body.get(); }
        finally { if (before == null) System.clearProperty("memtune.dropout_masks"); else System.setProperty("memtune.dropout_masks", before); }
    }

    /** y and dL/dx for L = sum(y * w), the dropout drawn after seeding the engine with {@code seed}. */
    static NDArray[] forwardBackward(NDManager m, NDArray x0, NDArray w, double p, boolean ours, int seed) {
        NDArray x = x0.duplicate();
        x.setRequiresGradient(true);
        Engine.getInstance().setRandomSeed(seed);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y = ours ? F.dropout(x, p, true) : ai.djl.nn.norm.Dropout.dropout(x, (float) p, true).singletonOrThrow();
            gc.backward(y.mul(w).sum());
        }
        return new NDArray[]{y.duplicate(), x.getGradient().duplicate()};
    }

    @ParameterizedTest(name = "p={0} {1}")
    @CsvSource({"0.1,float32", "0.5,float32", "0.1,float64", "0.3,float64"})
    void outputsAndGradientsAreTorchDropoutsBitForBit(double p, String dtype) {
        DataType t = DataType.valueOf(dtype.toUpperCase());
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray x = m.randomNormal(new Shape(4, 33, 65)).toType(t, false), w = m.randomNormal(new Shape(4, 33, 65)).toType(t, false);
            NDArray[] ref = forwardBackward(m, x, w, p, false, 11), ours = withMasks("torch", () -> forwardBackward(m, x, w, p, true, 11));
            assertTrue(ours[0].eq(ref[0]).all().getBoolean(), "outputs equal torch.dropout's");
            assertTrue(ours[1].eq(ref[1]).all().getBoolean(), "gradients equal torch.dropout's (the backward reuses the forward's mask)");
            long dropped = ours[0].eq(0).sum().getLong();
            assertTrue(dropped > 0 && dropped < x.size(), "some but not all dropped: " + dropped);
            NDArray[] other = withMasks("torch", () -> forwardBackward(m, x, w, p, true, 12));
            assertFalse(other[0].eq(ours[0]).all().getBoolean(), "another seed draws another mask");
        }
    }

    @ParameterizedTest(name = "p={0} {1}")
    @CsvSource({"0.1,float32", "0.5,float32", "0.1,float64"})
    void memtuneMasksScaleKeptElementsAndTheBackwardReusesTheMask(double p, String dtype) {
        DataType t = DataType.valueOf(dtype.toUpperCase());
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray x = m.randomNormal(new Shape(4, 33, 65)).toType(t, false), w = m.randomNormal(new Shape(4, 33, 65)).toType(t, false);
            NDArray[] ours = withMasks("memtune", () -> forwardBackward(m, x, w, p, true, 11));
            NDArray kept = ours[0].neq(0);                       // x ~ N(0, 1) has no zeros
            NDArray s = t == DataType.FLOAT64 ? m.create(1.0 / (1.0 - (float) p)) : m.create(1.0f / (float) (1.0 - (float) p));
            NDArray zero = x.zerosLike();
            assertTrue(ours[0].eq(ai.djl.ndarray.NDArrays.where(kept, x.mul(s), zero)).all().getBoolean(), "y = x s where kept, else 0");
            assertTrue(ours[1].eq(ai.djl.ndarray.NDArrays.where(kept, w.mul(s), zero)).all().getBoolean(), "dL/dx = w s m with the forward's mask");
            NDArray[] again = withMasks("memtune", () -> forwardBackward(m, x, w, p, true, 11));
            assertTrue(again[0].eq(ours[0]).all().getBoolean(), "the same seed replays the mask");
            NDArray[] other = withMasks("memtune", () -> forwardBackward(m, x, w, p, true, 12));
            assertFalse(other[0].eq(ours[0]).all().getBoolean(), "another seed draws another mask");
            NDArray[] torch = forwardBackward(m, x, w, p, false, 11);
            assertFalse(torch[0].eq(ours[0]).all().getBoolean(), "not torch's stream");
        }
    }

    @ParameterizedTest(name = "n={0}")
    @CsvSource({"1", "65535", "65536", "200001"})
    void memtuneMasksAreSplittableRandomStreamsWhateverTheThreadCount(int n) {
        long seed = 0x5eedL, t = KeepMask.threshold(0.1);
        java.nio.ByteBuffer par = java.nio.ByteBuffer.allocateDirect(n), seq = java.nio.ByteBuffer.allocateDirect(n);
        KeepMask.fill(par, n, seed, t, true);
        KeepMask.fill(seq, n, seed, t, false);
        java.util.SplittableRandom root = new java.util.SplittableRandom(seed), r = null;
        long bits = 0, kept = 0;
        for (int i = 0; i < n; i++) {
            if (i % KeepMask.BLOCK == 0) r = root.split();            // one stream per block, split in order
            if (i % 2 == 0) bits = r.nextLong();                      // two 32-bit uniforms per draw
            long u = i % 2 == 0 ? bits & 0xffffffffL : bits >>> 32;
            byte want = (byte) (u >= t ? 1 : 0);
            kept += want;
            if (par.get(i) != want || seq.get(i) != want)
                fail("element " + i + ": want " + want + ", parallel " + par.get(i) + ", sequential " + seq.get(i));
        }
        if (n > 100_000) assertEquals(0.9, kept / (double) n, 0.004, "share kept");
    }

    @Test
    void anEmptyTensorDropsOutToAnEmptyTensor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = F.dropout(m.ones(new Shape(3, 0)), 0.1, true);
            assertEquals(new Shape(3, 0), y.getShape());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"memtune", "torch"})
    void keepsTheExpectationAndTheRate(String source) {
        withMasks(source, () -> { keepsTheExpectationAndTheRate(); return null; });
    }

    void keepsTheExpectationAndTheRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray y = F.dropout(m.ones(new Shape(2_000_000)), 0.1, true);
            double mean = y.mean().getFloat(), kept = y.gt(0).sum().getLong() / 2e6;
            // sd of the mean: sqrt(p / (1 - p) / n) = 0.00024; of the kept share: sqrt(p (1 - p) / n) = 0.0002
            assertEquals(1.0, mean, 0.0015, "E[y] = x");
            assertEquals(0.9, kept, 0.0015, "share kept = 1 - p");
            assertSame(y, F.dropout(y, 0.1, false), "identity when not training");
        }
    }

    /** Resident bytes a training-mode dropout leaves behind beyond its output (what autograd keeps for the backward). */
    static long heldBeyondOutput(long n, boolean ours) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(n));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                System.gc();
                long before = ProcMemory.residentBytes();
                NDArray y = ours ? F.dropout(x, 0.1, true) : ai.djl.nn.norm.Dropout.dropout(x, 0.1f, true).singletonOrThrow();
                long held = ProcMemory.residentBytes() - before - 4 * n;
                gc.backward(y.sum());
                assertEquals(0.9 * n, x.getGradient().gt(0).sum().getLong(), 0.01 * n);
                return held;
            }
        }
    }

    @Test
    void theBackwardHoldsAOneByteMaskWhereTorchsCpuDropoutHoldsFloatNoise() {
        Assumptions.assumeTrue(ProcMemory.residentBytes() > 0, "Linux /proc needed");
        long n = 32L << 20, MiB = 1 << 20;                                   // 32 Mi elements: 128 MiB as float32
        long torch = heldBeyondOutput(n, false), ours = heldBeyondOutput(n, true);
        String what = "held beyond the output: torch.dropout " + torch / MiB + " MiB, F.dropout " + ours / MiB + " MiB";
        assertTrue(torch > 3 * n, what + " (torch's float noise: 128 MiB)");
        assertTrue(ours > n / 2 && ours < 2 * n, what + " (a bool mask: 32 MiB)");
    }
}
