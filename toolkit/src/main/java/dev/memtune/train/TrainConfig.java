package dev.memtune.train;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
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
 *
 * <p>The record's components are the settings: their HF names ({@link #KEYS}), {@link #toMap},
 * {@link #fromMap} and the builder all derive from them and from {@link #DEFAULTS}, so a new setting is
 * one component, one default and one check.
 */
public record TrainConfig(double learningRate, double numTrainEpochs, long maxSteps, int perDeviceTrainBatchSize,
                          int perDeviceEvalBatchSize, long warmupSteps, double warmupRatio, double weightDecay,
                          double adamBeta1, double adamBeta2, double adamEpsilon, double maxGradNorm, long seed,
                          int maxSeqLength, int earlyStoppingPatience, boolean dropout, long saveSteps,
                          int maxTrainSamples, int maxEvalSamples, int lengthGroupMegaBatches) {

    private static final RecordComponent[] COMPONENTS = TrainConfig.class.getRecordComponents();

    /** Keys accepted by {@link #fromMap}, in the order {@link #toMap} writes them: the components' names in snake case. */
    public static final List<String> KEYS = Arrays.stream(COMPONENTS).map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT)).toList();

    /** Hugging Face Trainer defaults (lr 5e-5, 3 epochs, batch 8, AdamW 0.9/0.999/1e-8, clip 1.0, seed 42), by key. */
    public static final Map<String, Object> DEFAULTS = defaults();

    private static Map<String, Object> defaults() {
        Object[] v = {5e-5, 3.0, 0L, 8, 64, 0L, 0.0, 0.0, 0.9, 0.999, 1e-8, 1.0, 42L, 128, 0, true, 0L, 0, 0, 50};
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) m.put(KEYS.get(i), v[i]);
        return Collections.unmodifiableMap(m);
    }

    /** Settings that moved elsewhere: an old config using one gets an error naming the new key. */
    private static final Map<String, String> MOVED = Map.of("backbone_cache", "method_options.backbone_cache (an option of the lst method)");

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
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            for (int i = 0; i < COMPONENTS.length; i++) m.put(KEYS.get(i), COMPONENTS[i].getAccessor().invoke(this));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
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
            int i = KEYS.indexOf(k);
            if (i < 0 && MOVED.containsKey(k)) throw new IllegalArgumentException(source + ": train setting '" + k + "' has moved: set " + MOVED.get(k) + " instead");
            if (i < 0) throw new IllegalArgumentException(source + ": unknown train setting '" + k + "' (known: " + String.join(", ", KEYS) + ")");
            try {
                b.values.put(k, parse(COMPONENTS[i].getType(), v));
            } catch (NumberFormatException | ClassCastException ex) {
                throw new IllegalArgumentException(source + ": train setting '" + k + "' has a bad value '" + v + "' (" + ex.getMessage() + ")");
            }
        }
        return b;
    }

    private static Object parse(Class<?> type, Object v) {
        if (type == double.class) return num(v);
        if (type == long.class) return (long) integer(v);
        if (type == int.class) return (int) integer(v);
        if (type == boolean.class) return bool(v);
        return v.toString().trim();
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

    /** Builder over {@link #DEFAULTS}; the typed setters are the Java API of the same keys. */
    public static final class Builder {
        final Map<String, Object> values = new LinkedHashMap<>(DEFAULTS);

        private Builder set(String key, Object v) { values.put(key, v); return this; }

        public Builder setLearningRate(double v) { return set("learning_rate", v); }
        public Builder optNumTrainEpochs(double v) { return set("num_train_epochs", v); }
        public Builder optMaxSteps(long v) { return set("max_steps", v); }
        public Builder optPerDeviceTrainBatchSize(int v) { return set("per_device_train_batch_size", v); }
        public Builder optPerDeviceEvalBatchSize(int v) { return set("per_device_eval_batch_size", v); }
        public Builder optWarmupSteps(long v) { return set("warmup_steps", v); }
        public Builder optWarmupRatio(double v) { return set("warmup_ratio", v); }
        public Builder optWeightDecay(double v) { return set("weight_decay", v); }
        public Builder optAdamBetas(double b1, double b2) { set("adam_beta1", b1); return set("adam_beta2", b2); }
        public Builder optAdamEpsilon(double v) { return set("adam_epsilon", v); }
        public Builder optMaxGradNorm(double v) { return set("max_grad_norm", v); }
        public Builder optSeed(long v) { return set("seed", v); }
        public Builder optMaxSeqLength(int v) { return set("max_seq_length", v); }
        public Builder optEarlyStoppingPatience(int v) { return set("early_stopping_patience", v); }
        public Builder optDropout(boolean v) { return set("dropout", v); }
        public Builder optSaveSteps(long v) { return set("save_steps", v); }
        public Builder optMaxTrainSamples(int v) { return set("max_train_samples", v); }
        public Builder optMaxEvalSamples(int v) { return set("max_eval_samples", v); }
        public Builder optLengthGroupMegaBatches(int v) { return set("length_group_mega_batches", v); }

        public TrainConfig build() { return build("train config"); }

        TrainConfig build(String source) {
            Class<?>[] types = Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new);
            Object[] args = KEYS.stream().map(values::get).toArray();
            try {
                return TrainConfig.class.getDeclaredConstructor(types).newInstance(args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof IllegalArgumentException iae)
                    throw new IllegalArgumentException(iae.getMessage().replaceFirst("^train config", source));
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
