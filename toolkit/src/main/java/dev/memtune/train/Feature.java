package dev.memtune.train;

/**
 * One tokenized, labelled example ready for batching, unpadded. Sentence(-pair) tasks have one row;
 * multiple choice has one row per choice (the head scores each and a softmax runs over them).
 *
 * @param inputIds     [rows][tokens] vocabulary ids
 * @param tokenTypeIds [rows][tokens] segment ids (zeros where the model has none)
 * @param label        class index, choice index, or regression score
 */
public record Feature(long[][] inputIds, long[][] tokenTypeIds, double label) {
    public Feature {
        if (inputIds.length == 0 || inputIds.length != tokenTypeIds.length)
            throw new IllegalArgumentException("feature: need >= 1 row and as many token-type rows, got " + inputIds.length + " and " + tokenTypeIds.length);
        for (int r = 0; r < inputIds.length; r++)
            if (inputIds[r].length == 0 || inputIds[r].length != tokenTypeIds[r].length)
                throw new IllegalArgumentException("feature: row " + r + " has " + inputIds[r].length + " ids and " + tokenTypeIds[r].length + " token types");
    }

    /** A single-row feature (classification or regression). */
    public static Feature of(long[] ids, long[] types, double label) {
        return new Feature(new long[][]{ids}, new long[][]{types}, label);
    }

    public int rows() { return inputIds.length; }

    /** Longest row, the length this feature pads a batch to. */
    public int length() {
        int m = 0;
        for (long[] r : inputIds) m = Math.max(m, r.length);
        return m;
    }

    /** Tokens before padding, for tokens/s. */
    public long tokens() {
        long n = 0;
        for (long[] r : inputIds) n += r.length;
        return n;
    }
}
