package dev.memtune.train;

import java.util.*;

/**
 * Training settings with Hugging Face {@code TrainingArguments} names. Built with {@link #builder()}
 * (validated in {@code build()}) or from a map of those names ({@link #fromMap}, unknown keys and
 * impossible values are errors naming the key and the source).
 *
 * <p>{@code max_steps > 0} overrides {@code num_train_epochs}; {@code warmup_steps > 0} overrides
 * {@code warmup_ratio}. {@code early_stopping_patience = 0} disables early stopping;
 * {@code save_steps = 0} checkpoints at epoch ends (and on interrupt) only.
 * {@code max_train_samples}/{@code max_eval_samples} (0 = all) cut the splits for smoke runs.
 * {@code backbone_cache} ({@code off}, {@code auto}, {@code memory}, {@code disk}): LST only, the frozen
 * backbone runs without dropout and its ladder inputs are computed once ({@link LadderCache}).
 */
public record TrainConfig(double learningRate, double numTrainEpochs, long maxSteps, int perDeviceTrainBatchSize,
                          int perDeviceEvalBatchSize, long warmupSteps, double warmupRatio, double weightDecay,
                          double adamBeta1, double adamBeta2, double adamEpsilon, double maxGradNorm, long seed,
                          int maxSeqLength, int earlyStoppingPatience, boolean dropout, long saveSteps,
                          int maxTrainSamples, int maxEvalSamples, int lengthGroupMegaBatches, String backboneCache) {

    /** Values of {@code backbone_cache}: see {@link LadderCache}. */
    public static final List<String> CACHES = List.of("off", "auto", "memory", "disk");

    /** Keys accepted by {@link #fromMap}, in the order {@link #toMap} writes them. */
    public static final List<String> KEYS = List.of("learning_rate", "num_train_epochs", "max_steps",
            "per_device_train_batch_size", "per_device_eval_batch_size", "warmup_steps", "warmup_ratio", "weight_decay",
            "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm", "seed", "max_seq_length",
            "early_stopping_patience", "dropout", "save_steps", "max_train_samples", "max_eval_samples",
            "length_group_mega_batches", "backbone_cache");

    public TrainConfig {
        check(learningRate > 0 && Double.isFinite(learningRate), "learning_rate", learningRate, "> 0");
        check(numTrainEpochs > 0 || maxSteps > 0, "num_train_epochs", numTrainEpochs, "> 0 (or set max_steps)");
        check(maxSteps >= 0, "max_steps", maxSteps, ">= 0");
        check(perDeviceTrainBatchSize >= 1, "per_device_train_batch_size", perDeviceTrainBatchSize, ">= 1");
        check(perDeviceEvalBatchSize >= 1, "per_device_eval_batch_size", perDeviceEvalBatchSize, ">= 1");
        check(warmupSteps >= 0, "warmup_steps", warmupSteps, ">= 0");
        check(warmupRatio >= 0 && warmupRatio < 1, "warmup_ratio", warmupRatio, "in [0, 1)");
        check(weightDecay >= 0, "weight_decay", weightDecay, ">= 0");
        check(adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1", adamBeta1, "in [0, 1)");
        check(adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2", adamBeta2, "in [0, 1)");
        check(adamEpsilon > 0, "adam_epsilon", adamEpsilon, "> 0");
        check(maxGradNorm >= 0, "max_grad_norm", maxGradNorm, ">= 0 (0 = no clipping)");
        check(maxSeqLength >= 8, "max_seq_length", maxSeqLength, ">= 8");
        check(earlyStoppingPatience >= 0, "early_stopping_patience", earlyStoppingPatience, ">= 0 (0 = off)");
        check(saveSteps >= 0, "save_steps", saveSteps, ">= 0");
        check(maxTrainSamples >= 0, "max_train_samples", maxTrainSamples, ">= 0 (0 = all)");
        check(maxEvalSamples >= 0, "max_eval_samples", maxEvalSamples, ">= 0 (0 = all)");
        check(lengthGroupMegaBatches >= 1, "length_group_mega_batches", lengthGroupMegaBatches, ">= 1");
        check(CACHES.contains(backboneCache), "backbone_cache", backboneCache, "one of " + CACHES);
    }

    private static void check(boolean ok, String key, Object v, String want) {
        if (!ok) throw new IllegalArgumentException("train config: " + key + " must be " + want + ", got " + v);
    }

    /** Optimizer steps of the run for {@code stepsPerEpoch} batches per epoch. */
    public long totalSteps(long stepsPerEpoch) {
        return maxSteps > 0 ? maxSteps : (long) Math.ceil(numTrainEpochs * stepsPerEpoch);
    }

    /** Warmup steps for a run of {@code total} steps (HF: {@code warmup_steps} or {@code ceil(warmup_ratio * total)}). */
    public long warmup(long total) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * total);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() { return fromMap(toMap(), "copy", builder()); }

    /** The settings by HF name, for result JSON and checkpoints. */
    public Map<String, Object> toMap() {
        Object[] v = {learningRate, numTrainEpochs, maxSteps, perDeviceTrainBatchSize, perDeviceEvalBatchSize, warmupSteps,
                warmupRatio, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, seed, maxSeqLength,
                earlyStoppingPatience, dropout, saveSteps, maxTrainSamples, maxEvalSamples, lengthGroupMegaBatches, backboneCache};
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) m.put(KEYS.get(i), v[i]);
        return m;
    }

    /** Builds from HF names over the defaults; {@code source} (a file) is named in errors. */
    public static TrainConfig fromMap(Map<String, ?> values, String source) {
        return fromMap(values, source, builder()).build(source);
    }

    /** Applies HF-named values to a builder; unknown keys and unparsable values name the key and source. */
    public static Builder fromMap(Map<String, ?> values, String source, Builder b) {
        for (var e : values.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            try {
                switch (k) {
                    case "learning_rate" -> b.learningRate = num(v);
                    case "num_train_epochs" -> b.numTrainEpochs = num(v);
                    case "max_steps" -> b.maxSteps = (long) integer(v);
                    case "per_device_train_batch_size" -> b.perDeviceTrainBatchSize = (int) integer(v);
                    case "per_device_eval_batch_size" -> b.perDeviceEvalBatchSize = (int) integer(v);
                    case "warmup_steps" -> b.warmupSteps = (long) integer(v);
                    case "warmup_ratio" -> b.warmupRatio = num(v);
                    case "weight_decay" -> b.weightDecay = num(v);
                    case "adam_beta1" -> b.adamBeta1 = num(v);
                    case "adam_beta2" -> b.adamBeta2 = num(v);
                    case "adam_epsilon" -> b.adamEpsilon = num(v);
                    case "max_grad_norm" -> b.maxGradNorm = num(v);
                    case "seed" -> b.seed = (long) integer(v);
                    case "max_seq_length" -> b.maxSeqLength = (int) integer(v);
                    case "early_stopping_patience" -> b.earlyStoppingPatience = (int) integer(v);
                    case "dropout" -> b.dropout = bool(v);
                    case "save_steps" -> b.saveSteps = (long) integer(v);
                    case "max_train_samples" -> b.maxTrainSamples = (int) integer(v);
                    case "max_eval_samples" -> b.maxEvalSamples = (int) integer(v);
                    case "length_group_mega_batches" -> b.lengthGroupMegaBatches = (int) integer(v);
                    case "backbone_cache" -> b.backboneCache = v.toString().trim();
                    default -> throw new IllegalArgumentException(source + ": unknown train setting '" + k + "' (known: " + String.join(", ", KEYS) + ")");
                }
            } catch (NumberFormatException | ClassCastException ex) {
                throw new IllegalArgumentException(source + ": train setting '" + k + "' has a bad value '" + v + "' (" + ex.getMessage() + ")");
            }
        }
        return b;
    }

    private static double num(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
    }

    private static double integer(Object v) {
        double d = num(v);
        if (d != Math.rint(d)) throw new NumberFormatException("not an integer");
        return d;
    }

    private static boolean bool(Object v) {
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true")) return true;
        if (s.equalsIgnoreCase("false")) return false;
        throw new NumberFormatException("expected true or false");
    }

    /** Builder with HF Trainer defaults (lr 5e-5, 3 epochs, batch 8, AdamW 0.9/0.999/1e-8, clip 1.0, seed 42). */
    public static final class Builder {
        double learningRate = 5e-5, numTrainEpochs = 3, warmupRatio = 0, weightDecay = 0, adamBeta1 = 0.9,
                adamBeta2 = 0.999, adamEpsilon = 1e-8, maxGradNorm = 1.0;
        long maxSteps = 0, warmupSteps = 0, seed = 42, saveSteps = 0;
        int perDeviceTrainBatchSize = 8, perDeviceEvalBatchSize = 64, maxSeqLength = 128, earlyStoppingPatience = 0,
                maxTrainSamples = 0, maxEvalSamples = 0, lengthGroupMegaBatches = 50;
        boolean dropout = true;
        String backboneCache = "off";

        public Builder setLearningRate(double v) { learningRate = v; return this; }
        public Builder optNumTrainEpochs(double v) { numTrainEpochs = v; return this; }
        public Builder optMaxSteps(long v) { maxSteps = v; return this; }
        public Builder optPerDeviceTrainBatchSize(int v) { perDeviceTrainBatchSize = v; return this; }
        public Builder optPerDeviceEvalBatchSize(int v) { perDeviceEvalBatchSize = v; return this; }
        public Builder optWarmupSteps(long v) { warmupSteps = v; return this; }
        public Builder optWarmupRatio(double v) { warmupRatio = v; return this; }
        public Builder optWeightDecay(double v) { weightDecay = v; return this; }
        public Builder optAdamBetas(double b1, double b2) { adamBeta1 = b1; adamBeta2 = b2; return this; }
        public Builder optAdamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder optMaxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder optSeed(long v) { seed = v; return this; }
        public Builder optMaxSeqLength(int v) { maxSeqLength = v; return this; }
        public Builder optEarlyStoppingPatience(int v) { earlyStoppingPatience = v; return this; }
        public Builder optDropout(boolean v) { dropout = v; return this; }
        public Builder optSaveSteps(long v) { saveSteps = v; return this; }
        public Builder optMaxTrainSamples(int v) { maxTrainSamples = v; return this; }
        public Builder optMaxEvalSamples(int v) { maxEvalSamples = v; return this; }
        public Builder optLengthGroupMegaBatches(int v) { lengthGroupMegaBatches = v; return this; }
        public Builder optBackboneCache(String v) { backboneCache = v; return this; }

        public TrainConfig build() { return build("train config"); }

        TrainConfig build(String source) {
            try {
                return new TrainConfig(learningRate, numTrainEpochs, maxSteps, perDeviceTrainBatchSize, perDeviceEvalBatchSize,
                        warmupSteps, warmupRatio, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, seed, maxSeqLength,
                        earlyStoppingPatience, dropout, saveSteps, maxTrainSamples, maxEvalSamples, lengthGroupMegaBatches, backboneCache);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^train config", source));
            }
        }
    }
}
