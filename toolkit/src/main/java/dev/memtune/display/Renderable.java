package dev.memtune.display;

/**
 * A result that knows how to show itself in a notebook. The kernel (and the headless notebook
 * runner) display any cell value implementing this as {@code text/html} plus {@code text/plain}, so
 * toolkit results (a training run, a memory report) render as tables without the toolkit depending
 * on the kernel.
 */
public interface Renderable {
    /** An HTML fragment (no {@code <html>} wrapper); escape user text. */
    String toHtml();

    /** Plain-text form for consoles and text-only front ends; defaults to {@link Object#toString()}. */
    default String toText() { return toString(); }
}
