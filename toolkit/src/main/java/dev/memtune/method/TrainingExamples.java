package dev.memtune.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Batch;

/**
 * The examples a run will train on, as a method may read them before it attaches
 * ({@link Method#prepare}; LST's Fisher-importance initialisation): example {@code i} alone,
 * unpadded, as a one-row batch with its labels (text-to-text: decoder targets and label ids).
 */
public interface TrainingExamples {
    int size();

    /** Example {@code i} with its labels, made in {@code m}. */
    Example get(NDManager m, int i);

    record Example(Batch batch, NDArray labels) {}
}
