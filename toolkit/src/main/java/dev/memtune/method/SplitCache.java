package dev.memtune.method;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Batch;

/**
 * What a model precomputed for one {@link Split} ({@link TunedModel#cache}): the task logits of a
 * batch made of the split's examples {@code which}, as {@link TunedModel#logits} would give them.
 */
public interface SplitCache extends AutoCloseable {
    /** Logits of batch {@code b}, whose rows are the split's examples {@code which}, in the caller's scope. */
    NDArray logits(Batch b, int[] which);

    /** What is kept and where, for progress messages. */
    String describe();

    @Override
    void close();
}
