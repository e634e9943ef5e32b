package dev.memtune.backbone;

import ai.djl.ndarray.NDArray;

/**
 * Model inputs, HF names: int64 {@code input_ids} [B,T], {@code attention_mask} [B,T] (1 = token,
 * 0 = padding), optional {@code token_type_ids} (BERT) and decoder inputs (T5). A multiple-choice
 * batch also has {@code choiceMask} [N,C]: N questions of C rows each (B = N*C), 1 for a real choice,
 * 0 for a padding row added because the question has fewer than C choices. The backbone ignores it;
 * the task head scores only real choices.
 */
public record Batch(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds,
                    NDArray decoderInputIds, NDArray decoderAttentionMask, NDArray choiceMask) implements AutoCloseable {
    /** A batch without a choice mask (sentence tasks, language modelling, synthetic workloads). */
    public Batch(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds, NDArray decoderInputIds, NDArray decoderAttentionMask) {
        this(inputIds, attentionMask, tokenTypeIds, decoderInputIds, decoderAttentionMask, null);
    }

    public static Batch encoder(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds) {
        return new Batch(inputIds, attentionMask, tokenTypeIds, null, null);
    }

    public long batchSize() { return inputIds.getShape().get(0); }

    public long seqLen() { return inputIds.getShape().get(1); }

    @Override
    public void close() {
        for (NDArray a : new NDArray[]{inputIds, attentionMask, tokenTypeIds, decoderInputIds, decoderAttentionMask, choiceMask})
            if (a != null) a.close();
    }
}
