package dev.memtune.step;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Batch;

/**
 * The hook for a model that computes its loss and gradients itself (MEFT's reversible backward, which
 * recomputes each layer's inputs from its outputs instead of keeping them): {@link TrainStep} calls
 * this in place of forward, loss and autograd backward. Returns the loss value.
 */
public interface CustomBackward {
    float forwardBackward(Batch b, NDArray labels);
}
