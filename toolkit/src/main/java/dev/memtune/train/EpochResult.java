package dev.memtune.train;

import java.util.Map;

/**
 * One evaluation point (end of an epoch, or where {@code max_steps} ends a partial one).
 *
 * @param test    metrics on the test split when this epoch was the best so far on validation, else null
 * @param seconds wall time of the epoch: its training steps (since a resume, if it was resumed) and evaluations
 */
public record EpochResult(int epoch, long step, double trainLoss, double learningRate, Map<String, Double> validation,
                          double validationScore, boolean best, Map<String, Double> test, double seconds) {}
