package dev.memtune.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Token-level language-model loss as Hugging Face computes it ({@code CrossEntropyLoss(ignore_index=-100)}). */
public final class LmLoss {
    /** Label value that contributes nothing (padding, prompt tokens). */
    public static final long IGNORE_INDEX = -100;

    private LmLoss() {}

    /**
     * Mean over the non-ignored positions of {@code -log softmax(logits)[label]}.
     *
     * @param logits [..., V]
     * @param labels int64 [...], {@link #IGNORE_INDEX} where no loss is taken
     * @return a scalar; NaN when every label is ignored (as PyTorch)
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray w = labels.neq(IGNORE_INDEX).toType(DataType.FLOAT32, false);
        return tokenLogLikelihood(logits, labels).sum().neg().div(w.sum());
    }

    /**
     * {@code log softmax(logits)[label]} at every position, 0 where the label is {@link #IGNORE_INDEX}:
     * [...] for logits [..., V]. Labels outside the vocabulary are an error naming the label.
     */
    public static NDArray tokenLogLikelihood(NDArray logits, NDArray labels) {
        long v = logits.getShape().get(logits.getShape().dimension() - 1);
        if (!labels.getShape().equals(logits.getShape().slice(0, logits.getShape().dimension() - 1)))
            throw new IllegalArgumentException("labels shape " + labels.getShape() + " does not match logits " + logits.getShape() + " without the vocabulary axis");
        NDArray lab = labels.toType(DataType.INT64, false);
        NDArray keep = lab.neq(IGNORE_INDEX);
        long[] flat = lab.toLongArray();
        for (long l : flat) if (l != IGNORE_INDEX && (l < 0 || l >= v))
            throw new IllegalArgumentException("label " + l + " outside the vocabulary [0, " + v + ")");
        NDArray safe = lab.mul(keep.toType(DataType.INT64, false));         // ignored -> 0, masked out below
        return logits.logSoftmax(-1).gather(safe.expandDims(-1), -1).squeeze(-1).mul(keep.toType(DataType.FLOAT32, false));
    }

    /** Causal-LM loss: position t predicts label t+1 (HF {@code OPTForCausalLM} shifts internally). */
    public static NDArray causalCrossEntropy(NDArray logits, NDArray labels) {
        long t = logits.getShape().get(1);
        return crossEntropy(logits.get(":, 0:" + (t - 1) + ", :"), labels.get(":, 1:"));
    }
}
