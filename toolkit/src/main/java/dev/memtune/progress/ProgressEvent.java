package dev.memtune.progress;

/**
 * One progress report of long work (training, conversion, profiling). {@code totalSteps <= 0} means
 * unknown; NaN means "not applicable" for loss, tokens/s and ETA.
 */
public record ProgressEvent(String task, long step, long totalSteps, double loss, double tokensPerSecond,
                            double etaSeconds, String message) {
    public static ProgressEvent message(String task, String message) {
        return new ProgressEvent(task, 0, 0, Double.NaN, Double.NaN, Double.NaN, message);
    }

    /** Fraction done in [0,1], or NaN when the total is unknown. */
    public double fraction() { return totalSteps > 0 ? Math.min(1.0, (double) step / totalSteps) : Double.NaN; }

    /** One-line text form used by the CLI progress line. */
    public String line() {
        StringBuilder sb = new StringBuilder(task);
        if (totalSteps > 0) sb.append(String.format(" step %d/%d (%.0f%%)", step, totalSteps, 100 * fraction()));
        else if (step > 0) sb.append(" step ").append(step);
        if (!Double.isNaN(loss)) sb.append(String.format(" loss %.4f", loss));
        if (!Double.isNaN(tokensPerSecond)) sb.append(String.format(" %.0f tok/s", tokensPerSecond));
        if (!Double.isNaN(etaSeconds)) sb.append(" ETA ").append(formatSeconds(etaSeconds));
        if (message != null && !message.isEmpty()) sb.append(' ').append(message);
        return sb.toString();
    }

    public static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : String.format("%dm%02ds", t / 60, t % 60);
    }
}
