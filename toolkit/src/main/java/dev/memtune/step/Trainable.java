package dev.memtune.step;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Batch;
import dev.memtune.nn.Param;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * What a training step needs of a model: its parameters (named, in a stable order; the trainable
 * ones are those {@link Param#trainable()} marks) and its loss on a batch. A method's model
 * ({@code dev.memtune.method.TunedModel}) is one.
 */
public interface Trainable {
    LinkedHashMap<String, Param> namedParams();

    List<Param> trainableParams();

    /** Forward and loss, recorded for backward when a gradient collector is open. */
    NDArray loss(Batch b, NDArray labels);
}
