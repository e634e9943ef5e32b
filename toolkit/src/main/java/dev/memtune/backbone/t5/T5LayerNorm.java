package dev.memtune.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.memtune.nn.Module;
import dev.memtune.nn.Param;
import dev.memtune.nn.Unary;

/**
 * T5's RMS norm (HF {@code T5LayerNorm}): scale only, no mean subtraction and no bias,
 * {@code y = w * x / sqrt(mean(x^2) + eps)} over the last dimension.
 */
public final class T5LayerNorm extends Module implements Unary {
    public final Param weight;
    public final float eps;

    public T5LayerNorm(NDManager m, int dim, double eps) {
        super(m);
        this.eps = (float) eps;
        this.weight = param("weight", new Shape(dim));
        weight.set(m.ones(new Shape(dim)));
    }

    @Override
    public NDArray forward(NDArray x) {                                   // [..., D] -> [..., D]
        NDArray variance = x.square().mean(new int[]{-1}, true);           // [..., 1]
        return x.div(variance.add(eps).sqrt()).mul(weight.data());
    }
}
