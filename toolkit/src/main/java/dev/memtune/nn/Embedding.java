package dev.memtune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/** Lookup table {@code weight[ids]}, weight of shape [num, dim]. */
public class Embedding extends Module {
    public final int num, dim;
    public final Param weight;

    public Embedding(NDManager m, int num, int dim) {
        super(m);
        this.num = num;
        this.dim = dim;
        this.weight = param("weight", new Shape(num, dim));
    }

    public NDArray forward(NDArray ids) {                      // ids: [B, T] int64 -> [B, T, dim]
        return ai.djl.nn.core.Embedding.embedding(ids, weight.data(), SparseFormat.DENSE).singletonOrThrow();
    }
}
