package dev.memtune.method;

import dev.memtune.nn.Module;

import java.util.function.Predicate;

/**
 * The one routine every method uses to freeze: every parameter of the model is frozen, then those
 * whose full name the method declares become trainable; the head is always trainable. Returns the
 * trainable share so callers can print it.
 */
public final class Freeze {
    private Freeze() {}

    public static double apply(Module model, Predicate<String> trainable) {
        model.setTrainable(n -> n.startsWith("head.") || trainable.test(n));
        return (double) model.numTrainable() / model.numParams();
    }
}
