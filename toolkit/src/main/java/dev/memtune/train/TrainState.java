package dev.memtune.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands, stored in checkpoints as JSON: position (epoch, batch within the epoch, global
 * step), every step's loss, the per-epoch history, the best-on-validation state and early-stopping
 * count. The data order and dropout masks are functions of the seed and these counters, so this
 * plus the tensors is all a resumed run needs.
 */
final class TrainState {
    int epoch;                       // 0-based epoch in progress
    int stepInEpoch;                 // batches of that epoch already done
    long globalStep;                 // optimizer steps done
    long tokens;                     // unpadded training tokens seen
    double seconds;                  // wall time so far, over all sessions
    List<Float> losses = new ArrayList<>();
    List<EpochResult> history = new ArrayList<>();
    int bestEpoch = -1;              // 1-based; -1 = none yet
    double bestScore = Double.NaN, bestTestScore = Double.NaN;
    Map<String, Double> bestValidation, bestTest;
    int badEpochs;
    boolean finished;
    String stopReason = "completed";
}
