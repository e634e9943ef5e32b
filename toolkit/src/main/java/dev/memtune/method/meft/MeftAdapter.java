package dev.memtune.method.meft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.nn.F;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;
import dev.memtune.nn.Unary;

/**
 * MEFT's adapter, without a residual of its own (the caller adds it where the variant needs it):
 * {@code dense2(dropout(GELU(dense1(x))))}, dense1: d -> bottleneck, dense2: bottleneck -> d,
 * weights N(0, initStd^2), biases 0 (the authors' {@code Adapter} under BERT's init).
 */
public final class MeftAdapter extends Module implements Unary {
    public final Linear dense1, dense2;
    private final double dropout;

    public MeftAdapter(NDManager m, int dim, int bottleneck, double dropout, double initStd) {
        super(m);
        this.dropout = dropout;
        dense1 = child("dense1", new Linear(m, dim, bottleneck, true));
        dense2 = child("dense2", new Linear(m, bottleneck, dim, true));
        if (initStd > 0) initNormal(initStd);                            // else: all zeros (Param default)
    }

    @Override
    public NDArray forward(NDArray x) {                                   // [B,T,d] -> [B,T,d]
        NDArray z = F.dropout(F.gelu(dense1.forward(x)), dropout, training);   // [B,T,bottleneck]
        return dense2.forward(z);
    }
}
