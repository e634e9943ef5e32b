package dev.memtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.NoGrad;
import dev.memtune.nn.Param;

import java.util.List;

/**
 * One optimisation step, the unit that training, the profiler and the benchmark share:
 * zero gradients (DJL accumulates them), forward + loss, backward, clip, AdamW update. Every
 * intermediate is closed before it returns. Methods with their own backward (MEFT) implement
 * {@link CustomBackward}.
 */
public final class TrainStep {
    private TrainStep() {}

    /** A model that computes loss and gradients itself (e.g. reversible backward); returns the loss. */
    public interface CustomBackward {
        float forwardBackward(Batch b, NDArray labels);
    }

    /** Runs one step and returns the loss value. */
    public static float run(TunedModel model, AdamW opt, Batch b, NDArray labels, double lr, double clip) {
        List<Param> ps = model.trainableParams();
        try (NoGrad ng = NoGrad.enter(); NDScope s = new NDScope()) { for (Param p : ps) p.zeroGrad(); }
        float loss;
        if (model instanceof CustomBackward cb) {
            loss = cb.forwardBackward(b, labels);
        } else {
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = model.loss(b, labels);
                loss = l.getFloat();
                gc.backward(l);
            }
        }
        if (clip > 0) AdamW.clipGradNorm(ps, clip);
        opt.update(lr);
        return loss;
    }
}
