package dev.memtune.step;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.Batch;
import dev.memtune.nn.NoGrad;
import dev.memtune.nn.Param;

import java.util.List;
import java.util.function.Supplier;

/**
 * One optimisation step, the unit that training, the profiler and the benchmark share:
 * <pre>
 *   drop (or zero) gradients (DJL accumulates them) -> forward + loss -> backward -> release the step's
 *   tensors -> clip to max_grad_norm -> AdamW update
 * </pre>
 * Gradients are dropped at the start of a step ({@link Param#clearGrad()}, PyTorch 2's and HF's
 * {@code zero_grad(set_to_none=True)}), so they take memory only from the backward to the update;
 * {@code -Dmemtune.set_to_none=false} zeroes them in place instead ({@code set_to_none=False}, PyTorch
 * 1's default, what the papers' runs did; the profiler measures the papers' tables that way). The
 * updates are bitwise the same either way.
 * Every intermediate is closed before it returns. Models with their own backward (MEFT) implement
 * {@link CustomBackward}. A {@link Phases} hook sees the end of each phase (the benchmark times them
 * with it); it does not change what the step computes.
 */
public final class TrainStep {
    private TrainStep() {}

    /** The phases of a step, in order. A {@link CustomBackward} model's forward and backward are one phase, {@code BACKWARD}. */
    public enum Phase { ZERO_GRAD, FORWARD, BACKWARD, RELEASE, CLIP, OPTIMIZER }

    /** Told when each phase of a step ends. */
    public interface Phases {
        Phases NONE = p -> { };

        void ended(Phase p);
    }

    /** Whether a step drops its gradients ({@code -Dmemtune.set_to_none}, default true) or zeroes them in place. */
    public static boolean setToNone() {
        String v = System.getProperty("memtune.set_to_none", "true");
        if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException("-Dmemtune.set_to_none=" + v + ": expected true or false");
        return v.equals("true");
    }

    /** Runs one step and returns the loss value. */
    public static float run(Trainable model, AdamW opt, Batch b, NDArray labels, double lr, double clip) {
        return run(model, opt, b, labels, lr, clip, Phases.NONE);
    }

    /** {@link #run(Trainable, AdamW, Batch, NDArray, double, double)} telling {@code hook} where the step is. */
    public static float run(Trainable model, AdamW opt, Batch b, NDArray labels, double lr, double clip, Phases hook) {
        if (model instanceof CustomBackward cb) return run(model, opt, () -> cb.forwardBackward(b, labels), lr, clip, hook);
        return run(model, opt, () -> backward(() -> model.loss(b, labels), hook), lr, clip, hook);
    }

    /** One step whose loss {@code loss} computes (in a gradient-recording scope that backward runs on). */
    public static float run(Trainable model, AdamW opt, Supplier<NDArray> loss, double lr, double clip) {
        return run(model, opt, () -> backward(loss, Phases.NONE), lr, clip, Phases.NONE);
    }

    private interface ForwardBackward { float run(); }

    private static float run(Trainable model, AdamW opt, ForwardBackward fb, double lr, double clip, Phases hook) {
        List<Param> ps = model.trainableParams();
        boolean none = setToNone();
        try (NoGrad ng = NoGrad.enter(); NDScope s = new NDScope()) { for (Param p : ps) if (none) p.clearGrad(); else p.zeroGrad(); }
        hook.ended(Phase.ZERO_GRAD);
        float loss = fb.run();
        if (model instanceof CustomBackward) hook.ended(Phase.BACKWARD);
        if (clip > 0) AdamW.clipGradNorm(ps, clip);
        hook.ended(Phase.CLIP);
        opt.update(lr);
        hook.ended(Phase.OPTIMIZER);
        return loss;
    }

    private static float backward(Supplier<NDArray> loss, Phases hook) {
        float v;
        try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            v = l.getFloat();
            hook.ended(Phase.FORWARD);
            gc.backward(l);
            hook.ended(Phase.BACKWARD);
        }
        hook.ended(Phase.RELEASE);
        return v;
    }
}
