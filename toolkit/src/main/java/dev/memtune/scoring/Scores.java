package dev.memtune.scoring;

import dev.memtune.metrics.Metrics;
import dev.memtune.metrics.Metric;
import dev.memtune.data.Example;
import dev.memtune.data.Task;
import dev.memtune.data.TaskType;
import dev.memtune.data.Tasks;
import java.util.*;

/**
 * Scores predictions for a task with its metrics ({@link Task#metrics()}), and averages task
 * scores into the GLUE score. The per-task score is the one the LST paper and the GLUE leaderboard
 * use: CoLA Matthews correlation; MRPC and QQP the mean of F1 (positive class 1) and accuracy;
 * STS-B the mean of Pearson and Spearman correlation; every other task accuracy.
 */
public final class Scores {
    private Scores() {}

    /** Scores predictions (class/choice indices, or scores for regression) against the gold labels of {@code gold}. */
    public static TaskScore evaluate(Task task, List<Example> gold, double[] predictions) {
        double[] g = new double[gold.size()];
        for (int i = 0; i < g.length; i++) g[i] = gold.get(i).label();
        return evaluate(task, predictions, g);
    }

    /**
     * Scores predictions against gold labels; for classification and multiple choice both arrays
     * must hold integral values.
     *
     * @throws IllegalArgumentException on different lengths, no examples, or a non-integral class
     */
    public static TaskScore evaluate(Task task, double[] predictions, double[] gold) {
        if (predictions.length != gold.length)
            throw new IllegalArgumentException(task.name() + ": " + predictions.length + " predictions for " + gold.length + " labels");
        Map<Metric, Double> v = new LinkedHashMap<>();
        if (task.type() == TaskType.REGRESSION) {
            for (Metric m : task.metrics()) v.put(m, regression(m, predictions, gold));
        } else {
            int[] p = ints(predictions, "prediction"), t = ints(gold, "label");
            for (Metric m : task.metrics()) v.put(m, classification(m, p, t));
        }
        return new TaskScore(task.name(), predictions.length, task.mainMetric(), v);
    }

    /** One metric on class indices (accuracy, F1, MCC, or the F1-accuracy mean). */
    public static double classification(Metric m, int[] pred, int[] gold) {
        return switch (m) {
            case ACCURACY -> Metrics.accuracy(pred, gold);
            case F1 -> Metrics.f1(pred, gold);
            case MCC -> Metrics.matthews(pred, gold);
            case F1_ACCURACY_MEAN -> (Metrics.f1(pred, gold) + Metrics.accuracy(pred, gold)) / 2;
            default -> throw new IllegalArgumentException(m.key() + " is not a classification metric");
        };
    }

    /** One metric on real-valued scores (Pearson, Spearman, or their mean; NaN when a side is constant). */
    public static double regression(Metric m, double[] pred, double[] gold) {
        return switch (m) {
            case PEARSON -> Metrics.pearson(pred, gold);
            case SPEARMAN -> Metrics.spearman(pred, gold);
            case PEARSON_SPEARMAN_MEAN -> (Metrics.pearson(pred, gold) + Metrics.spearman(pred, gold)) / 2;
            default -> throw new IllegalArgumentException(m.key() + " is not a regression metric");
        };
    }

    /**
     * The GLUE average of the LST paper: the unweighted mean of the task scores of
     * {@link Tasks#GLUE_AVERAGE_TASKS} (CoLA, SST-2, MRPC, QQP, STS-B, MNLI, QNLI, RTE; MNLI =
     * matched). Extra entries are ignored.
     *
     * @param scoreByTask task name to its {@link TaskScore#score()}
     * @throws IllegalArgumentException naming the tasks that are missing
     */
    public static double glueAverage(Map<String, Double> scoreByTask) {
        List<String> missing = new ArrayList<>();
        double sum = 0;
        for (String t : Tasks.GLUE_AVERAGE_TASKS) {
            Double s = scoreByTask.get(t);
            if (s == null) missing.add(t); else sum += s;
        }
        if (!missing.isEmpty()) throw new IllegalArgumentException("GLUE average needs all of " + Tasks.GLUE_AVERAGE_TASKS + "; missing " + missing);
        return sum / Tasks.GLUE_AVERAGE_TASKS.size();
    }

    private static int[] ints(double[] v, String what) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || v[i] < 0) throw new IllegalArgumentException(what + " " + v[i] + " at position " + i + " is not a class index");
            out[i] = (int) v[i];
        }
        return out;
    }
}
