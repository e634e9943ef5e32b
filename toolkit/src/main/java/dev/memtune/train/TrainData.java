package dev.memtune.train;

import dev.memtune.method.HeadSpec;

import java.util.List;

/**
 * What {@link Trainer} needs of a task: tokenized splits, the head they train, the padding id and
 * how to score predictions. {@code test} may be the same list as {@code validation} (standard
 * protocol: report on dev); it is then evaluated once.
 */
public record TrainData(String name, HeadSpec head, List<Feature> train, List<Feature> validation, List<Feature> test,
                        long padId, Evaluator evaluator) {
    public TrainData {
        if (train.isEmpty()) throw new IllegalArgumentException(name + ": no training examples");
        if (validation.isEmpty()) throw new IllegalArgumentException(name + ": no validation examples");
        if (head.kind().equals("lm"))
            throw new IllegalArgumentException(name + ": text-to-text (lm head) training is not supported by Trainer yet; use a pooled head (classification, regression, multiple_choice)");
    }

    /** Gold labels of a split, in order. */
    public static double[] gold(List<Feature> split) {
        double[] g = new double[split.size()];
        for (int i = 0; i < g.length; i++) g[i] = split.get(i).label();
        return g;
    }
}
