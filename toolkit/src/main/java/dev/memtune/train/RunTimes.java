package dev.memtune.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;

import java.util.*;

/**
 * How long a run not yet made will take on the machine that made the given results: seconds per training
 * example and epoch, measured on finished runs (the run's seconds, {@link #seconds}, over train examples x epochs run),
 * times the examples and epochs of the planned run. The rate comes from, in this order:
 * <ol>
 *   <li>a run of the same config on the same task;</li>
 *   <li>a run of the same method (another config, e.g. a probe) on the same task;</li>
 *   <li>runs of the same config, else the same method, on other tasks, each scaled by the ratio of full
 *       fine-tuning's rates on the two tasks (the tasks' sequence lengths differ).</li>
 * </ol>
 * Only results of the same backbone and scale count. Estimates are rough: a machine shared with other
 * work, or a method's fixed start-up (LST's Fisher init and backbone cache), moves them.
 * The same runs tell a planned run's trainable parameters ({@link #trainableParams}), hence its checkpoint's size.
 *
 * <pre>
 *   RunTimes t = RunTimes.of(Results.load(Experiments.committed()));
 *   t.estimate("bert-base/lora", resolved.json())   // OptionalDouble seconds
 * </pre>
 */
public final class RunTimes {
    /** Per (backbone scale) key: rates by config id + task, by method + task, and training-set sizes by task. */
    private final Map<String, List<Double>> byConfig = new HashMap<>(), byMethod = new HashMap<>();
    private final Map<String, Integer> examples = new HashMap<>();
    /** Per backbone: the most trainable parameters a finished run had (at any scale), by config name and by method. */
    private final Map<String, Long> paramsByConfig = new HashMap<>(), paramsByMethod = new HashMap<>();

    private RunTimes() {}

    public static RunTimes of(List<ExperimentResult> results) {
        RunTimes t = new RunTimes();
        for (ExperimentResult r : results) {
            JsonObject j = r.json();
            if (known(j, "trainable_params") && known(j, "backbone")) {             // the model's, whatever the scale's data and epochs
                String on = j.get("backbone").getAsString() + " ";
                long n = j.get("trainable_params").getAsLong();
                t.paramsByConfig.merge(on + configName(r.configId()), n, Math::max);
                t.paramsByMethod.merge(on + r.method(), n, Math::max);
            }
            if (!known(j, "wall_seconds") || !known(j, "backbone") || !known(j, "scale") || !j.has("epochs") || !j.has("data")
                    || !known(j.getAsJsonObject("data"), "train") || !j.has("config")) continue;        // not a finished run of memtune train
            int n = j.getAsJsonObject("data").get("train").getAsInt(), epochs = j.getAsJsonArray("epochs").size();
            if (n <= 0 || epochs <= 0) continue;
            String at = j.get("backbone").getAsString() + " " + j.get("scale").getAsString() + " ";
            double rate = seconds(j) / ((double) n * epochs);
            t.byConfig.computeIfAbsent(at + configName(r.configId()) + " " + r.task(), k -> new ArrayList<>()).add(rate);
            t.byMethod.computeIfAbsent(at + r.method() + " " + r.task(), k -> new ArrayList<>()).add(rate);
            if (wholeTrainingSet(r)) t.examples.put(at + r.task(), n);
        }
        return t;
    }

    /**
     * Seconds a finished run took: its {@code wall_seconds} (the whole command, with loading and a method's start-up
     * such as LST's backbone cache), or its {@code train_seconds} where larger. A run resumed from a checkpoint has
     * {@code wall_seconds} of its last sitting only, while {@code train_seconds} sums the optimisation and evaluation
     * of every sitting (MEFT2 on RTE: 10 and 100 min).
     */
    static double seconds(JsonObject result) {
        double wall = result.get("wall_seconds").getAsDouble();
        return known(result, "train_seconds") ? Math.max(wall, result.get("train_seconds").getAsDouble()) : wall;
    }

    /**
     * Seconds the run of config {@code configId} ({@link ExperimentConfig#id}) with these resolved
     * settings ({@link ExperimentConfig.Resolved#json()}) will take; empty when no finished run gives a rate
     * or the task's training-set size is not known.
     */
    public OptionalDouble estimate(String configId, JsonObject settings) {
        String at = at(settings);
        String task = settings.get("task").getAsString(), method = settings.get("method").getAsString();
        TrainConfig train = train(configId, settings);
        OptionalInt n = trainExamples(settings, train);
        if (n.isEmpty()) return OptionalDouble.empty();
        double exampleEpochs = train.maxSteps() > 0 ? (double) train.maxSteps() * train.perDeviceTrainBatchSize()   // max_steps overrides the epochs
                : n.getAsInt() * train.numTrainEpochs();
        OptionalDouble rate = rate(at, configName(configId), method, task);
        return rate.isPresent() ? OptionalDouble.of(rate.getAsDouble() * exampleEpochs) : OptionalDouble.empty();
    }

    /**
     * Optimizer steps the run with these resolved settings makes, counted as the {@link Trainer} counts them
     * ({@link TrainConfig#totalSteps} of {@code ceil(examples / batch)} steps per epoch); empty when the task's
     * training-set size is not known here. With a checkpoint's steps and seconds this gives a resumed run's pace.
     */
    public OptionalLong steps(String configId, JsonObject settings) {
        TrainConfig train = train(configId, settings);
        OptionalInt n = trainExamples(settings, train);
        if (n.isEmpty()) return OptionalLong.empty();
        long batch = train.perDeviceTrainBatchSize();
        return OptionalLong.of(train.totalSteps((n.getAsInt() + batch - 1) / batch));
    }

    /**
     * Trainable parameters of the run of config {@code configId} with these resolved settings: those of a finished
     * run of the same config on the same backbone (any task and scale), else of the same method; empty when none is known.
     */
    public OptionalLong trainableParams(String configId, JsonObject settings) {
        String on = settings.get("backbone").getAsString() + " ";
        Long n = paramsByConfig.get(on + configName(configId));
        if (n == null) n = paramsByMethod.get(on + settings.get("method").getAsString());
        return n == null ? OptionalLong.empty() : OptionalLong.of(n);
    }

    /** Whether the run trained on the task's whole training set ({@code max_train_samples} 0, the default); false for settings this version cannot read. */
    private static boolean wholeTrainingSet(ExperimentResult r) {
        try {
            return train(r.configId(), r.json().getAsJsonObject("config")).maxTrainSamples() == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String at(JsonObject settings) { return settings.get("backbone").getAsString() + " " + settings.get("scale").getAsString() + " "; }

    /** The resolved train settings; what is not given takes the defaults. */
    private static TrainConfig train(String configId, JsonObject settings) {
        @SuppressWarnings("unchecked")
        Map<String, Object> given = settings.has("train") ? new Gson().fromJson(settings.get("train"), Map.class) : Map.of();
        return TrainConfig.fromMap(given, configId + " (resolved train settings)");
    }

    /** Training examples the run sees per epoch: the task's training set, capped by {@code max_train_samples}. */
    private OptionalInt trainExamples(JsonObject settings, TrainConfig train) {
        Integer all = examples.get(at(settings) + settings.get("task").getAsString());
        if (all == null) return OptionalInt.empty();
        int cap = train.maxTrainSamples();
        return OptionalInt.of(cap > 0 ? Math.min(cap, all) : all);
    }

    private OptionalDouble rate(String at, String config, String method, String task) {
        for (var m : List.of(byConfig.getOrDefault(at + config + " " + task, List.of()), byMethod.getOrDefault(at + method + " " + task, List.of())))
            if (!m.isEmpty()) return OptionalDouble.of(mean(m));
        List<Double> full = byMethod.get(at + "full " + task);
        if (full == null) return OptionalDouble.empty();
        for (var own : List.of(byConfig, byMethod)) {
            String prefix = at + (own == byConfig ? config : method) + " ";
            List<Double> scaled = new ArrayList<>();
            for (var e : own.entrySet()) {
                if (!e.getKey().startsWith(prefix)) continue;
                String other = e.getKey().substring(prefix.length());
                List<Double> fullOther = byMethod.get(at + "full " + other);
                if (fullOther != null) scaled.add(mean(e.getValue()) * mean(full) / mean(fullOther));
            }
            if (!scaled.isEmpty()) return OptionalDouble.of(mean(scaled));
        }
        return OptionalDouble.empty();
    }

    private static boolean known(JsonObject o, String key) { return o.has(key) && !o.get(key).isJsonNull(); }

    /** A config id's own name: {@code bert-base/lst-lr1e-3} -> {@code lst-lr1e-3}. */
    static String configName(String configId) { return configId.substring(configId.lastIndexOf('/') + 1); }

    private static double mean(List<Double> v) { return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN); }
}
