package dev.memtune.kernel.api;

import dev.memtune.kernel.display.Renderers;
import dev.memtune.kernel.display.Output;

/**
 * Notebook display calls for cells (imported by the kernel's startup script):
 * {@code Display.show(table)} shows a value now, rendered like a cell result (several per cell);
 * {@code Display.clear()} clears the cell's output so far. Outside a running cell they do nothing.
 */
public final class Display {
    private static volatile Output current;

    private Display() {}

    /** Set by the session around each cell; not for notebook code. */
    public static void attach(Output output) { current = output; }

    /** Shows {@code value} (a Table, a chart, an image, a toolkit result, anything) in the cell's output. */
    public static void show(Object value) {
        Output o = current;
        if (o != null) o.display(Renderers.render(value), null);
    }

    /** Clears the cell's output shown so far. */
    public static void clear() {
        Output o = current;
        if (o != null) o.clear();
    }
}
