package dev.memtune.method.lora;

import ai.djl.ndarray.NDArray;
import dev.memtune.nn.F;
import dev.memtune.nn.Linear;

/**
 * A frozen linear layer plus a trainable low-rank update (Hu et al., 2022):
 * <pre>  h = W0 x + b + (alpha / r) * B A dropout(x),   A: [r, in] ~ U(-1/sqrt(in), 1/sqrt(in)),  B: [out, r] = 0 </pre>
 * B = 0 keeps the starting point. The wrapped layer's weight and bias keep their HF names.
 */
public final class LoraLinear extends Linear {
    public final Linear lora_A, lora_B;
    public final double scaling, dropout;

    public LoraLinear(Linear base, int r, double alpha, double dropout) {
        super(base.manager(), base.in, base.out, base.bias != null);
        weight.set(base.weight.data());
        if (bias != null) bias.set(base.bias.data());
        lora_A = child("lora_A", new Linear(manager, in, r, false));
        lora_B = child("lora_B", new Linear(manager, r, out, false));
        double bound = 1 / Math.sqrt(in);
        lora_A.weight.set(manager.randomUniform((float) -bound, (float) bound, lora_A.weight.data().getShape()));
        this.scaling = alpha / r;
        this.dropout = dropout;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray h = super.forward(x);
        NDArray d = lora_B.forward(lora_A.forward(F.dropout(x, dropout, training)));
        return h.add(d.mul(F.scalar(d, scaling)));
    }
}
