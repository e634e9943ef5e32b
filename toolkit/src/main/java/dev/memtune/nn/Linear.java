package dev.memtune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code y = x W^T + b}, W of shape [out, in] as in PyTorch/HF. */
public class Linear extends Module implements Unary {
    public final int in, out;
    public final Param weight;
    public Param bias; // null when bias=false (T5) until enableBias()

    public Linear(NDManager m, int in, int out, boolean bias) {
        super(m);
        this.in = in;
        this.out = out;
        this.weight = param("weight", new Shape(out, in));
        this.bias = bias ? param("bias", new Shape(out)) : null;
    }

    /** Adds a zero bias to a bias-free layer (BitFit on T5); returns the bias parameter. */
    public Param enableBias() {
        if (bias == null) bias = param("bias", new ai.djl.ndarray.types.Shape(out));
        return bias;
    }

    public NDArray forward(NDArray x) {                        // x: [..., in] -> [..., out]
        return ai.djl.nn.core.Linear.linear(x, weight.data(), bias == null ? null : bias.data()).singletonOrThrow();
    }
}
