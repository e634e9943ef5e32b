package dev.memtune.kernel.display;

/**
 * Where a cell's rich output goes: the Jupyter IOPub channel in the kernel, the notebook's output
 * list in the headless runner. Text on {@code System.out}/{@code System.err} is captured separately.
 */
public interface Output {
    /** Shows a bundle; with a non-null {@code displayId} it can later be replaced by {@link #update}. */
    void display(MimeBundle bundle, String displayId);

    /** Replaces the content of an earlier {@link #display} with the same id. */
    void update(MimeBundle bundle, String displayId);

    /** Shows documentation in the front end's pager; the default shows it like {@link #display}. */
    default void page(MimeBundle bundle) { display(bundle, null); }

    /** Clears the outputs of the running cell shown so far. */
    default void clear() { }
}
