package dev.memtune.backbone;

import ai.djl.ndarray.NDManager;
import dev.memtune.nn.Module;

/**
 * A pretrained transformer: BERT-family encoder, T5 encoder-decoder or OPT decoder. Parameter names
 * are Hugging Face's, so {@link #load} takes a HF state dict by key. Closing a backbone frees its
 * weights.
 */
public abstract class Backbone extends Module implements AutoCloseable {
    protected final BackboneConfig config;

    protected Backbone(NDManager manager, BackboneConfig config) {
        super(manager);
        this.config = config;
    }

    public BackboneConfig config() { return config; }

    /** Runs the model; see {@link Capture} for what is kept. */
    public abstract BackboneOutput forward(Batch batch, Capture capture);

    /** Name of the preset or folder this backbone came from (for reports). */
    public String name() { return config.str("_name_or_path", config.modelType); }

    @Override
    public void close() { manager.close(); }
}
