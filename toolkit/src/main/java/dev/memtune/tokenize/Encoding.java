package dev.memtune.tokenize;

/**
 * Model inputs for one example: {@code [CLS] a [SEP]} or {@code [CLS] a [SEP] b [SEP]}, unpadded.
 *
 * @param inputIds      vocabulary ids
 * @param tokenTypeIds  0 for the first segment (with its [CLS] and [SEP]), 1 for the second
 * @param attentionMask all ones (no padding); batching code pads with {@link Tokenizer#padId()} and 0
 */
public record Encoding(long[] inputIds, long[] tokenTypeIds, long[] attentionMask) {
    public Encoding {
        if (inputIds.length != tokenTypeIds.length || inputIds.length != attentionMask.length) {
            throw new IllegalArgumentException("encoding arrays differ in length: " + inputIds.length + ", "
                + tokenTypeIds.length + ", " + attentionMask.length);
        }
    }

    /** Number of tokens. */
    public int length() { return inputIds.length; }
}
