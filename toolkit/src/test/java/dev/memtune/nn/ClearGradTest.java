package dev.memtune.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Param#clearGrad()} on a value that lives in a Java buffer (as weights read from files do: DJL's
 * {@code create(float[])} wraps a direct buffer that only its own wrapper keeps reachable): after the old
 * wrapper is closed and the garbage collector has run, the parameter still reads its values, trains, and
 * has no gradient until the next backward.
 */
class ClearGradTest {
    @Test
    void aParameterMadeFromAJavaBufferSurvivesClearGradAndGc() {
        int n = 1 << 20;                                            // 4 MiB: glibc maps it apart, so a freed buffer is unmapped
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 1000 / 7f;
        try (NDManager m = NDManager.newBaseManager()) {
            Param p = new Param("w", m.create(v));
            p.setTrainable(true);
            for (int step = 0; step < 3; step++) {
                p.clearGrad();
                assertNull(p.grad(), "no gradient before the backward");
                for (int i = 0; i < 5; i++) { System.gc(); byte[][] junk = new byte[64][]; for (int j = 0; j < 64; j++) junk[j] = new byte[1 << 16]; }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(p.data().mul(p.data()).sum());      // d/dw sum(w^2) = 2w
                }
                assertArrayEquals(v, p.data().toFloatArray(), "values intact after clearGrad and GC (step " + step + ")");
                float[] g = p.grad().toFloatArray();
                assertEquals(2 * v[n - 1], g[n - 1], 1e-5f, "gradient of the fresh handle");
            }
        }
    }
}
