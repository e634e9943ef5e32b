package dev.memtune.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Additive attention masks as Hugging Face builds them: 0 where a query may attend, the float32 minimum elsewhere. */
public final class AttentionMask {
    private AttentionMask() {}

    /**
     * From a padding mask [B,T] (1 keep, 0 pad): [B,1,1,T] (encoders, cross-attention), or with
     * {@code causal} [B,1,T,T] where query i also sees only keys j &lt;= i (decoders).
     */
    public static NDArray additive(NDArray keys, boolean causal) {
        NDArray allowed = keys.toType(DataType.FLOAT32, false).expandDims(1).expandDims(1);          // [B,1,1,T]
        if (causal) {
            long t = keys.getShape().get(1);
            NDArray i = keys.getManager().arange(0, (int) t).expandDims(1), j = keys.getManager().arange(0, (int) t).expandDims(0);
            allowed = allowed.mul(j.lte(i).toType(DataType.FLOAT32, false));                        // [B,1,T,T]
        }
        return allowed.neg().add(1f).mul(-Float.MAX_VALUE);
    }
}
