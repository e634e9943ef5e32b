package dev.memtune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Layer normalisation over the last dimension with affine weight and bias (HF {@code LayerNorm}). */
public class LayerNorm extends Module implements Unary {
    public final Param weight, bias;
    public final float eps;
    private final Shape normShape;

    public LayerNorm(NDManager m, int dim, double eps) {
        super(m);
        this.eps = (float) eps;
        this.normShape = new Shape(dim);
        this.weight = param("weight", normShape);
        this.bias = param("bias", normShape);
        weight.set(m.ones(normShape));
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normShape, weight.data(), bias.data(), eps).singletonOrThrow();
    }
}
