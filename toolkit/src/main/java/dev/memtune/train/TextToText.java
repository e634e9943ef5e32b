package dev.memtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.LmLoss;
import dev.memtune.data.Task;
import dev.memtune.data.TaskType;
import dev.memtune.tokenize.Tokenizer;

import java.util.Arrays;

/**
 * Classification as text-to-text, the setting of LST's T5 experiments: the encoder reads
 * {@code "<task> sentence1: <a> sentence2: <b>"}, the decoder is trained (teacher forcing) to emit the
 * label's name ({@code entailment}, {@code not_entailment}, ...) and an end token:
 * <pre>
 *   decoder_input_ids = [start, y_1 .. y_{n-1}],  labels = [y_1 .. y_n] (-100 in padding),  start = pad id (T5)
 *   loss = CE(LM(decoder states), labels)
 *   prediction = argmax_c sum_t log p(y^c_t | x, y^c_{&lt;t})   (rank classification over the label names)
 * </pre>
 * Rank classification instead of free generation: a prediction is always one of the labels, so the
 * task's metrics apply unchanged (the papers decode greedily and count other strings as wrong).
 */
public final class TextToText {
    private TextToText() {}

    /** The encoder text of an example: the task name and both segments, T5's GLUE format. */
    public static String[] input(Task task, String a, String b) {
        return new String[]{task.name() + " sentence1: " + a, b == null ? null : "sentence2: " + b};
    }

    /**
     * Target ids of each class: the label name's pieces and the tokenizer's end token. A start token
     * the tokenizer puts in front of every text ({@code [CLS]}) is dropped; its end token ({@code [SEP]},
     * {@code </s>}) stays as EOS.
     */
    public static long[][] targets(Tokenizer tok, Task task) {
        if (task.type() != TaskType.CLASSIFICATION)
            throw new IllegalArgumentException(task.name() + ": text-to-text training supports classification tasks; this one is "
                    + task.type().name().toLowerCase() + " (use a pooled head)");
        long[] x = tok.encode("x", null, 0).inputIds(), y = tok.encode("y", null, 0).inputIds();
        boolean startToken = x.length > 1 && y.length > 1 && x[0] == y[0];
        long[][] out = new long[task.numLabels()][];
        for (int c = 0; c < out.length; c++) {
            long[] ids = tok.encode(task.labelNames().get(c).replace('_', ' '), null, 0).inputIds();
            out[c] = startToken ? Arrays.copyOfRange(ids, 1, ids.length) : ids;
        }
        return out;
    }

    /** The encoder batch {@code enc} with decoder inputs for one target row per example. */
    static Batch withTargets(NDManager m, Batch enc, long[][] rows, long start) {
        int n = rows.length, len = 0;
        for (long[] r : rows) len = Math.max(len, r.length);
        long[] in = new long[n * len], mask = new long[n * len];
        Arrays.fill(in, start);
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, in, i * len + 1, rows[i].length - 1);    // shifted right after the start token
            Arrays.fill(mask, i * len, i * len + rows[i].length, 1L);
        }
        Shape s = new Shape(n, len);
        return new Batch(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), m.create(in, s), m.create(mask, s));
    }

    /** Labels for {@link #withTargets}: the target rows, {@link LmLoss#IGNORE_INDEX} in padding. */
    static NDArray labels(NDManager m, long[][] rows) {
        int n = rows.length, len = 0;
        for (long[] r : rows) len = Math.max(len, r.length);
        long[] y = new long[n * len];
        Arrays.fill(y, LmLoss.IGNORE_INDEX);
        for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, y, i * len, rows[i].length);
        return m.create(y, new Shape(n, len));
    }

    /** Sum over each row's target tokens of log p(label token): [B] from logits [B,T,V] and labels [B,T]. */
    static NDArray sequenceLogLikelihood(NDArray logits, NDArray labels) {
        return LmLoss.tokenLogLikelihood(logits, labels).sum(new int[]{1});
    }
}
