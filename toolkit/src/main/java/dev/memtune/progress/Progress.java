package dev.memtune.progress;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Process-wide progress bus. Long work calls {@link #report}; the CLI registers a listener that
 * prints a progress line, the notebook kernel one that updates a live display. Long loops also call
 * {@link #checkInterrupted()} so an interrupt (Ctrl-C in a notebook) stops them promptly.
 */
public final class Progress {
    private static final CopyOnWriteArrayList<ProgressListener> LISTENERS = new CopyOnWriteArrayList<>();

    private Progress() {}

    public static void addListener(ProgressListener l) { LISTENERS.add(l); }

    public static void removeListener(ProgressListener l) { LISTENERS.remove(l); }

    public static void report(ProgressEvent e) {
        for (ProgressListener l : LISTENERS) {
            try { l.onProgress(e); } catch (RuntimeException ignored) { /* a broken display never stops the work */ }
        }
    }

    /** Throws if the current thread was interrupted, clearing nothing (the caller unwinds). */
    public static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedWork();
    }

    /** Raised by {@link #checkInterrupted()}; long work cleans up and rethrows. */
    public static final class InterruptedWork extends RuntimeException {
        public InterruptedWork() { super("interrupted"); }
    }
}
