package dev.memtune.kernel.api;

import dev.memtune.kernel.display.MimeBundle;
import dev.memtune.kernel.display.Output;

import java.util.function.Function;

/**
 * Notebook display calls for cells (imported by the kernel's startup script):
 * {@code Display.show(table)} shows a value now, rendered like a cell result (several per cell);
 * {@code Display.clear()} clears the cell's output so far. Outside a running cell they do nothing.
 */
public final class Display {
    private static volatile Output current;
    private static volatile Function<Object, MimeBundle> renderer;

    private Display() {}

    /** Set by the session around each cell (null after it); not for notebook code. */
    public static void attach(Output output, Function<Object, MimeBundle> render) {
        renderer = render;
        current = output;
    }

    /** Shows {@code value} (a Table, a chart, an image, a toolkit result, anything a registered {@link dev.memtune.kernel.display.Renderer} accepts) in the cell's output. */
    public static void show(Object value) {
        Output o = current;
        Function<Object, MimeBundle> r = renderer;
        if (o != null && r != null) o.display(r.apply(value), null);
    }

    /** Clears the cell's output shown so far. */
    public static void clear() {
        Output o = current;
        if (o != null) o.clear();
    }
}
