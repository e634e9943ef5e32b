package dev.memtune.method;

/**
 * A split of examples a model will see again and again (training epochs, evaluations), as
 * {@link TunedModel#cache} sees it: how many there are, and each one's rows (1, or the choices of a
 * multiple-choice example) and length in tokens.
 */
public interface Split {
    int size();

    int rows(int i);

    int length(int i);
}
