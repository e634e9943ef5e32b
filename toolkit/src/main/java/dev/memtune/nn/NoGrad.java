package dev.memtune.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A region where PyTorch records no autograd history, whatever the thread's default: PyTorch's
 * grad mode is per thread and ON on threads other than the one that loaded the engine (kernel
 * cells, workers), so evaluation and frozen forwards wrap themselves in this.
 * <pre>  try (NoGrad g = NoGrad.enter()) { model.logits(batch); }  </pre>
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() { return new NoGrad(); }

    @Override
    public void close() { JniUtils.setGradMode(previous); }
}
