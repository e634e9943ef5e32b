package dev.memtune.train;

import dev.memtune.progress.ProgressEvent;
import dev.memtune.progress.ProgressListener;

import java.io.PrintStream;

/**
 * Prints progress events for a terminal: on a TTY one line rewritten in place ({@code \r}); otherwise
 * (logs, CI) a line at most every {@code intervalSeconds}. Messages (epoch results, notices) are
 * always printed on their own line.
 */
public final class ProgressLine implements ProgressListener {
    private final PrintStream out;
    private final boolean tty;
    private final double interval;
    private long last;
    private int width;

    public ProgressLine(PrintStream out, boolean tty, double intervalSeconds) {
        this.out = out;
        this.tty = tty;
        this.interval = intervalSeconds;
    }

    /** For the CLI: stderr, TTY detection through {@link System#console()}, a line every 30 s otherwise. */
    public static ProgressLine stderr() { return new ProgressLine(System.err, System.console() != null, 30); }

    @Override
    public synchronized void onProgress(ProgressEvent e) {
        boolean isStep = e.step() > 0 && !Double.isNaN(e.loss());
        if (!isStep) {
            if (tty && width > 0) out.print("\r" + " ".repeat(width) + "\r");
            width = 0;
            out.println(e.line());
            return;
        }
        String l = e.line();
        if (tty) {
            out.print("\r" + l + (l.length() < width ? " ".repeat(width - l.length()) : ""));
            width = l.length();
            out.flush();
            return;
        }
        long now = System.nanoTime();
        if (last == 0 || now - last >= interval * 1e9 || e.step() == e.totalSteps()) {
            last = now;
            out.println(l);
        }
    }
}
