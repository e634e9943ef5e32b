package dev.memtune.method;

import dev.memtune.backbone.Backbone;

/**
 * A fine-tuning method. {@link #attach} takes ownership of the backbone: it inserts or wraps modules,
 * adds the task head, and declares its trainable parameters; {@link Freeze} freezes the rest.
 */
public interface Method {
    MethodConfig config();

    default String name() { return config().method(); }

    /**
     * Called before {@link #attach} with the examples the run trains on and its seed, for a method
     * that initialises from data (LST's {@code init=fisher}); the default ignores them.
     */
    default void prepare(TrainingExamples train, long seed) {}

    TunedModel attach(Backbone backbone, HeadSpec head);

    /** Whether the method is implemented for a backbone kind ({@code bert}, {@code t5}, {@code opt}). */
    default boolean supports(String modelType) { return true; }
}
