package dev.memtune.train;

import dev.memtune.method.HeadSpec;

import java.util.List;

/**
 * What {@link Trainer} needs of a task: tokenized splits, the head they train, the padding id and
 * how to score predictions. {@code test} may be the same list as {@code validation} (standard
 * protocol: report on dev); it is then evaluated once. With an {@code lm} head the task trains
 * text-to-text ({@link TextToText}): {@code targets[c]} are the token ids of class c's name.
 */
public record TrainData(String name, HeadSpec head, List<Feature> train, List<Feature> validation, List<Feature> test,
                        long padId, SplitScorer evaluator, long[][] targets) {
    public TrainData {
        if (train.isEmpty()) throw new IllegalArgumentException(name + ": no training examples");
        if (validation.isEmpty()) throw new IllegalArgumentException(name + ": no validation examples");
        if (head.kind().equals("lm") != (targets != null))
            throw new IllegalArgumentException(name + ": an lm head trains text-to-text and needs the label names' target ids (TextToText.targets), and only it does");
    }

    /** A pooled-head task (no text-to-text targets). */
    public TrainData(String name, HeadSpec head, List<Feature> train, List<Feature> validation, List<Feature> test, long padId, SplitScorer evaluator) {
        this(name, head, train, validation, test, padId, evaluator, null);
    }

    /** Text-to-text: the labels are generated as the class names' token ids {@code targets[c]}. */
    public boolean textToText() { return targets != null; }

    /** Gold labels of a split, in order. */
    public static double[] gold(List<Feature> split) {
        double[] g = new double[split.size()];
        for (int i = 0; i < g.length; i++) g[i] = split.get(i).label();
        return g;
    }
}
