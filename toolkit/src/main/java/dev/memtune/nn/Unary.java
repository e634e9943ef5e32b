package dev.memtune.nn;

import ai.djl.ndarray.NDArray;

/** A module mapping one tensor to one tensor (linear layers, adapters, LoRA-wrapped linears). */
public interface Unary {
    NDArray forward(NDArray x);
}
