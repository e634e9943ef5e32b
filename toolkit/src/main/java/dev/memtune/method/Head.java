package dev.memtune.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.memtune.backbone.LmLoss;
import dev.memtune.nn.F;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;

/**
 * Task head on the final sequence states [B,T,D]: pool (as {@link TunedModel#pooling} picks: the
 * model's own where it is published with one, e.g. masked mean for all-MiniLM-L6-v2; else first
 * token for BERT-like encoders, masked mean for T5 encoders, last real token for decoders), then HF's classification head
 * {@code out_proj(dropout(tanh(dense(dropout(pooled)))))}. Always trainable, whatever the method.
 */
public final class Head extends Module {
    public final HeadSpec spec;
    /** The ways a head can pool: first token, masked mean, last real token. */
    public static final java.util.List<String> POOLINGS = java.util.List.of("first", "mean", "last");
    public final String pooling;       // one of POOLINGS
    public final Linear dense, out_proj;
    private final double dropout;

    public Head(NDManager m, HeadSpec spec, int dim, String pooling, double dropout) {
        super(m);
        if (spec.kind().equals("lm")) throw new IllegalArgumentException("the lm head is the backbone's own; Head handles pooled tasks");
        this.spec = spec;
        this.pooling = pooling;
        this.dropout = dropout;
        int out = spec.kind().equals("classification") ? spec.numLabels() : 1;
        dense = child("dense", new Linear(m, dim, dim, true));
        out_proj = child("out_proj", new Linear(m, dim, out, true));
    }

    /** Pools [B,T,D] with the [B,T] mask to [B,D]. */
    public NDArray pool(NDArray h, NDArray mask) {
        switch (pooling) {
            case "first": return h.get(new NDIndex(":, 0, :"));
            case "mean": {
                NDArray w = mask.toType(DataType.FLOAT32, false).expandDims(-1);      // [B,T,1]
                return h.mul(w).sum(new int[]{1}).div(w.sum(new int[]{1}).maximum(1f));
            }
            case "last": {
                NDArray last = mask.toType(DataType.INT64, false).sum(new int[]{1}).sub(1).maximum(0L);   // [B]
                NDArray idx = last.reshape(-1, 1, 1).repeat(2, h.getShape().get(2));                      // [B,1,D]
                return h.gather(idx, 1).squeeze(1);
            }
            default: throw new IllegalStateException(pooling);
        }
    }

    /** Logits: [B,numLabels] for classification, [B] for regression, [B/C, C] for multiple choice (C = {@link HeadSpec#numChoices}). */
    public NDArray forward(NDArray h, NDArray mask) { return forward(h, mask, null); }

    /**
     * As above; a multiple-choice batch's {@code choiceMask} [N,C] ({@link dev.memtune.backbone.Batch#choiceMask})
     * sets C and gives padding choices the logit {@value #PADDING_LOGIT}, so they take no probability
     * in the softmax, never win the argmax and get no gradient: questions with fewer choices than
     * others in their batch score as if alone.
     */
    public NDArray forward(NDArray h, NDArray mask, NDArray choiceMask) {
        NDArray x = F.dropout(pool(h, mask), dropout, training);
        x = F.dropout(dense.forward(x).tanh(), dropout, training);
        NDArray y = out_proj.forward(x);
        return switch (spec.kind()) {
            case "classification" -> y;
            case "regression" -> y.reshape(-1);
            default -> choices(y, choiceMask);
        };
    }

    /** Logit of a padding choice: exp of it underflows to 0 in float32 next to any real logit. */
    public static final float PADDING_LOGIT = -1e9f;

    private NDArray choices(NDArray y, NDArray choiceMask) {
        if (choiceMask == null) return y.reshape(-1, spec.numChoices());
        long c = choiceMask.getShape().get(1);
        if (y.getShape().get(0) != choiceMask.getShape().size())
            throw new IllegalArgumentException("multiple choice: " + y.getShape().get(0) + " rows but the choice mask " + choiceMask.getShape() + " has " + choiceMask.getShape().size());
        NDArray s = y.reshape(-1, c);
        boolean padded = false;
        for (long v : choiceMask.toType(DataType.INT64, false).toLongArray()) padded |= v == 0;
        if (!padded) return s;                                   // no padding choices: the logits as they are
        NDArray real = choiceMask.toType(DataType.BOOLEAN, false);
        return NDArrays.where(real, s, s.getManager().full(s.getShape(), PADDING_LOGIT));
    }

    /** Mean loss: cross-entropy (labels int64 class/choice index) or MSE (labels float). */
    public NDArray loss(NDArray logits, NDArray labels) {
        if (spec.kind().equals("regression")) return logits.sub(labels.toType(DataType.FLOAT32, false)).square().mean();
        return crossEntropy(logits, labels);
    }

    /** Mean cross-entropy over rows of [N,K] logits with int labels [N]; label -100 is ignored (see {@link LmLoss}). */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return LmLoss.crossEntropy(logits, labels);
    }
}
