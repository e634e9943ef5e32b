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
        if (model instanceof CustomBackward cb) return run(model, opt, () -> cb.forwardBackward(b, labels), lr, clip);
        return run(model, opt, () -> backward(() -> model.loss(b, labels)), lr, clip);
    }

    /** One step whose loss {@code loss} computes (in a gradient-recording scope that backward runs on). */
    public static float run(TunedModel model, AdamW opt, java.util.function.Supplier<NDArray> loss, double lr, double clip) {
        return run(model, opt, () -> backward(loss), lr, clip);
    }

    private interface ForwardBackward { float run(); }

    private static float run(TunedModel model, AdamW opt, ForwardBackward fb, double lr, double clip) {
        List<Param> ps = model.trainableParams();
        try (NoGrad ng = NoGrad.enter(); NDScope s = new NDScope()) { for (Param p : ps) p.zeroGrad(); }
        float loss = fb.run();
        if (clip > 0) AdamW.clipGradNorm(ps, clip);
        opt.update(lr);
        return loss;
    }

    private static float backward(java.util.function.Supplier<NDArray> loss) {
        try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            float v = l.getFloat();
            gc.backward(l);
            return v;
        }
    }
}
