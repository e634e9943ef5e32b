package dev.memtune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Stateless functions shared by the models. Dropout draws from the engine's global generator, so a
 * caller that reseeds the engine ({@code Engine.setRandomSeed}) before a sub-network replays the
 * same masks (MEFT's reversible backward relies on this).
 */
public final class F {
    private F() {}

    /**
     * Inverted dropout, {@code y = x * m / (1 - p)} with {@code m ~ Bernoulli(1 - p)}; identity when not
     * training or p == 0. What autograd keeps for the backward is the 1-byte keep mask (as PyTorch's
     * fused CUDA kernel does), not torch's CPU float32 noise: {@code y = where(m, x * s, 0)} saves only
     * {@code m}, drawn by {@link KeepMask} from the engine's generator (a caller that reseeds the engine
     * replays the same masks), and {@code s} is the float32 {@code 1 / (1 - p)} torch multiplies by, so with
     * {@code -Dmemtune.dropout_masks=torch} outputs and gradients are bitwise those of {@code torch.dropout}.
     */
    public static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p <= 0) return x;
        float rate = (float) p;                     // what torch receives (DJL passes the rate as a float)
        NDArray keep = KeepMask.draw(x, rate);      // bool: 1 byte per element
        // torch: noise = bernoulli(1 - p) / (1 - p) in x's dtype, then x * noise
        double s = x.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64 ? 1.0 / (1.0 - rate) : 1.0f / (float) (1.0 - rate);
        NDArray y;
        try (NDArray scaled = x.mul(scalar(x, s))) {
            y = ai.djl.ndarray.NDArrays.where(keep, scaled, scalar(x, 0));
        }
        keep.close();                               // autograd holds its own reference to the mask
        return y;
    }

    /**
     * A scalar constant for arithmetic on tensors that need gradients: {@code x.mul(F.scalar(x, c))}
     * instead of {@code x.mul(c)}. DJL's {@code mul/div/pow(Number)} wrap the number in a tensor
     * over a Java direct buffer that is freed by the garbage collector once its wrapper closes, but
     * autograd keeps that tensor for the backward pass: after a GC the backward reads freed memory
     * (wrong gradients, NaN, non-determinism). {@code full} gives a tensor that owns its memory.
     */
    public static NDArray scalar(NDArray like, double v) {
        if (like.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64) {
            // full double precision (float64 checks); create() wraps a Java buffer, so copy it into owned memory
            try (NDArray d = like.getManager().create(v)) { return d.duplicate(); }
        }
        return like.getManager().full(new ai.djl.ndarray.types.Shape(), (float) v, like.getDataType());
    }

    /** Exact (erf) GELU, as HF's "gelu". */
    public static NDArray gelu(NDArray x) { return x.getNDArrayInternal().gelu(); }

    /** Tanh-approximated GELU, HF's "gelu_new" (T5 v1.1 gated-gelu). */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.mul(x).mul(x).mul(scalar(x, 0.044715))).mul(scalar(x, Math.sqrt(2 / Math.PI)));
        return x.mul(scalar(x, 0.5)).mul(inner.tanh().add(1f));
    }

    /**
     * Hands arrays made inside inner scopes (and kept with {@link #keep}) to the caller's current
     * NDScope, as if the caller had made them: its scope closes them, so a forward run inside a
     * training step leaks nothing. Without an open scope they stay with their manager. Nulls are skipped.
     */
    public static void handOut(Iterable<NDArray> arrays) {
        for (NDArray a : arrays) if (a != null) NDScope.register(a);
    }

    /** Keeps {@code keep} (and whatever it shares storage with) alive past the current NDScope. */
    public static NDArray keep(NDArray keep) {
        if (keep != null) NDScope.unregister(keep);
        return keep;
    }
}
