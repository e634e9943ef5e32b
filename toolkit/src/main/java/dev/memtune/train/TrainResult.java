package dev.memtune.train;

import java.util.List;
import java.util.Map;

/**
 * Outcome of {@link Trainer#train()}: the loss of every optimizer step, the per-epoch history, the
 * best-on-validation epoch with its validation and test metrics, and cost figures.
 *
 * @param stopReason     {@code completed} or {@code early_stopping}
 * @param trainSeconds   wall time of the optimisation and evaluation, summed over resumed sessions
 * @param tokensPerSecond real (unpadded) training tokens per second of training
 */
public record TrainResult(List<Float> losses, List<EpochResult> history, int bestEpoch, Map<String, Double> bestValidation,
                          double bestValidationScore, Map<String, Double> test, double testScore, long steps,
                          long trainableParams, long totalParams, double trainSeconds, double tokensPerSecond,
                          String stopReason) {}
