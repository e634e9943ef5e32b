package dev.memtune.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.Batch;
import dev.memtune.nn.Param;

/** Test support: plain SGD on one batch, the loop the method tests share to see that a loss falls. */
public final class SgdSteps {
    private SgdSteps() {}

    /**
     * {@code steps} SGD steps of rate {@code lr} on {@code (in, labels)}; a trainable parameter without a
     * gradient is left as it is. Returns the loss of the first step and of the last.
     */
    public static float[] run(TunedModel m, Batch in, NDArray labels, int steps, float lr) {
        float first = Float.NaN, last = Float.NaN;
        for (int step = 0; step < steps; step++) {
            m.zeroGrad();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = m.loss(in, labels);
                if (step == 0) first = loss.getFloat(); else last = loss.getFloat();
                gc.backward(loss);
            }
            for (Param p : m.trainableParams()) {
                NDArray g = p.grad();
                if (g != null) p.data().subi(g.mul(lr));
            }
        }
        return new float[]{first, last};
    }
}
