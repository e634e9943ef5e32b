package dev.memtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.memtune.backbone.Batch;
import dev.memtune.method.HeadSpec;

import java.util.*;

/**
 * Batch order and dynamic padding. Training order is length-grouped as Hugging Face
 * {@code LengthGroupedSampler}: shuffle (seeded by {@code seed} and the epoch), cut into mega-batches
 * of {@code megaBatches * batchSize} examples, sort each by length (longest first), cut into batches,
 * then shuffle the batch order. Each batch is padded to its own longest row, so little compute is
 * spent on padding. The order is a pure function of (seed, epoch): resuming replays it.
 */
public final class Batches {
    private Batches() {}

    /** Example indices of every training batch of {@code epoch}. */
    public static List<int[]> trainOrder(List<Feature> data, int batchSize, int megaBatches, long seed, long epoch) {
        Random rnd = new Random(seed * 1_000_003L + epoch);
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) idx.add(i);
        Collections.shuffle(idx, rnd);
        List<int[]> out = new ArrayList<>();
        int mega = batchSize * megaBatches;
        for (int s = 0; s < idx.size(); s += mega) {
            List<Integer> m = new ArrayList<>(idx.subList(s, Math.min(idx.size(), s + mega)));
            m.sort(Comparator.comparingInt((Integer i) -> data.get(i).length()).reversed());   // stable: ties keep shuffled order
            for (int b = 0; b < m.size(); b += batchSize)
                out.add(m.subList(b, Math.min(m.size(), b + batchSize)).stream().mapToInt(Integer::intValue).toArray());
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    /** Evaluation batches: sorted by length over the whole split (predictions are put back by index). */
    public static List<int[]> evalOrder(List<Feature> data, int batchSize) {
        Integer[] idx = new Integer[data.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.comparingInt((Integer i) -> data.get(i).length()));
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < idx.length; s += batchSize) {
            int[] b = new int[Math.min(batchSize, idx.length - s)];
            for (int j = 0; j < b.length; j++) b[j] = idx[s + j];
            out.add(b);
        }
        return out;
    }

    /**
     * Pads the chosen features to their longest row: {@code input_ids} with {@code padId},
     * {@code attention_mask} 1/0, token types 0 in padding. Multiple-choice features (more than one
     * row) contribute one row per choice, consecutively, each question padded to the batch's most
     * choices C with rows that hold one attended pad token; {@link Batch#choiceMask} [N,C] says which
     * rows are real choices. Questions that all have C choices get no padding rows and an all-ones mask.
     */
    public static Batch collate(NDManager m, List<Feature> data, int[] which, long padId) {
        int choices = 0, len = 0;
        for (int i : which) { choices = Math.max(choices, data.get(i).rows()); len = Math.max(len, data.get(i).length()); }
        boolean multipleChoice = choices > 1;
        int rows = 0;
        for (int i : which) rows += multipleChoice ? choices : data.get(i).rows();
        long[] ids = new long[rows * len], types = new long[rows * len], mask = new long[rows * len];
        long[] real = multipleChoice ? new long[which.length * choices] : null;
        Arrays.fill(ids, padId);
        int r = 0;
        for (int j = 0; j < which.length; j++) {
            Feature f = data.get(which[j]);
            for (int k = 0; k < f.rows(); k++, r++) {
                long[] row = f.inputIds()[k];
                System.arraycopy(row, 0, ids, r * len, row.length);
                System.arraycopy(f.tokenTypeIds()[k], 0, types, r * len, row.length);
                Arrays.fill(mask, r * len, r * len + row.length, 1L);
                if (real != null) real[j * choices + k] = 1L;
            }
            if (multipleChoice)
                for (int k = f.rows(); k < choices; k++, r++) mask[r * len] = 1L;    // a padding choice: one attended pad token
        }
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(rows, len);
        NDArray choiceMask = real == null ? null : m.create(real, new ai.djl.ndarray.types.Shape(which.length, choices));
        return new Batch(m.create(ids, s), m.create(mask, s), m.create(types, s), null, null, choiceMask);
    }

    /** Labels of the chosen features: int64 class/choice indices, or float32 scores for regression. */
    public static NDArray labels(NDManager m, List<Feature> data, int[] which, HeadSpec spec) {
        if (spec.kind().equals("regression")) {
            float[] y = new float[which.length];
            for (int j = 0; j < which.length; j++) y[j] = (float) data.get(which[j]).label();
            return m.create(y);
        }
        long[] y = new long[which.length];
        for (int j = 0; j < which.length; j++) y[j] = (long) data.get(which[j]).label();
        return m.create(y).toType(DataType.INT64, false);
    }
}
