package dev.memtune.step;

/**
 * Linear warmup then linear decay to zero, as Hugging Face {@code get_linear_schedule_with_warmup}:
 * the learning rate of optimizer step {@code s} (0-based) is
 * <pre>
 *   lr(s) = base * s / W                      for s &lt; W
 *   lr(s) = base * max(0, (N - s) / (N - W))  otherwise
 * </pre>
 * with {@code W} warmup steps and {@code N} total steps (so the first step has lr 0 when W &gt; 0).
 */
public record LinearSchedule(double base, long warmup, long total) {
    public LinearSchedule {
        if (total < 1) throw new IllegalArgumentException("schedule: total steps must be >= 1, got " + total);
        if (warmup < 0 || warmup > total) throw new IllegalArgumentException("schedule: warmup steps must be in [0, " + total + "], got " + warmup);
    }

    public double lr(long step) {
        if (step < warmup) return base * step / Math.max(1, warmup);
        return base * Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
    }
}
