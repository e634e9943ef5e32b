package dev.memtune.backbone;

import ai.djl.ndarray.NDArray;

/**
 * Model inputs, HF names: int64 {@code input_ids} [B,T], {@code attention_mask} [B,T] (1 = token,
 * 0 = padding), optional {@code token_type_ids} (BERT) and decoder inputs (T5).
 */
public record Batch(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds,
                    NDArray decoderInputIds, NDArray decoderAttentionMask) implements AutoCloseable {
    public static Batch encoder(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds) {
        return new Batch(inputIds, attentionMask, tokenTypeIds, null, null);
    }

    public long batchSize() { return inputIds.getShape().get(0); }

    public long seqLen() { return inputIds.getShape().get(1); }

    @Override
    public void close() {
        for (NDArray a : new NDArray[]{inputIds, attentionMask, tokenTypeIds, decoderInputIds, decoderAttentionMask})
            if (a != null) a.close();
    }
}
