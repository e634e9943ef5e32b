package dev.memtune.method.meft;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few autograd controls the reversible backward needs and DJL's API lacks (PyTorch engine).
 * Grad mode is thread-local in PyTorch and is on by default on threads other than the one that
 * loaded the engine, so "outside a GradientCollector" is not enough to stop recording: the forward
 * runs under {@link #noGrad()}. {@link #enableGrad()} records without a GradientCollector, whose
 * one-at-a-time rule would otherwise forbid a backward per layer inside a caller's collector.
 */
final class Autograd {
    private Autograd() {}

    /** Restores the previous grad mode on close. */
    static final class Mode implements AutoCloseable {
        private final boolean previous;

        private Mode(boolean on) {
            previous = JniUtils.isGradMode();
            JniUtils.setGradMode(on);
        }

        @Override
        public void close() { JniUtils.setGradMode(previous); }
    }

    static Mode noGrad() { return new Mode(false); }

    static Mode enableGrad() { return new Mode(true); }

    static boolean gradMode() { return JniUtils.isGradMode(); }

    /** A leaf sharing x's storage that records its gradient (x's own history, if any, is cut). */
    static NDArray leaf(NDArray x) {
        NDArray l = x.stopGradient();
        l.setRequiresGradient(true);
        return l;
    }

    /** Vector-Jacobian product: accumulates {@code d<out, cotangent>/d leaf} into every recording leaf. */
    static void vjp(NDArray out, NDArray cotangent) {
        JniUtils.backward((PtNDArray) out, (PtNDArray) cotangent, false, false);
    }

    /**
     * Whether x is part of an autograd graph. DJL's {@code requiresGrad} answers false for recorded
     * non-leaf results and its {@code getGradientFunctionNames} crashes on tensors without one, so
     * this probes: a zero-cotangent backward that keeps the graph (adds 0 to leaf gradients) succeeds
     * exactly when x has history; without history PyTorch refuses it. Diagnostics only.
     */
    static boolean records(NDArray x) {
        if (JniUtils.requiresGrad((PtNDArray) x)) return true;
        try (NDArray zero = x.zerosLike()) {
            JniUtils.backward((PtNDArray) x, (PtNDArray) zero, true, false);
            return true;
        } catch (ai.djl.engine.EngineException e) {
            return false;
        }
    }
}
