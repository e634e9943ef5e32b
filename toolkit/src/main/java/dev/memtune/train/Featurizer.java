package dev.memtune.train;

import dev.memtune.data.Example;
import dev.memtune.data.Task;
import dev.memtune.data.TaskData;
import dev.memtune.data.TaskType;
import dev.memtune.method.HeadSpec;
import dev.memtune.scoring.Scores;
import dev.memtune.scoring.TaskScore;
import dev.memtune.tokenize.Encoding;
import dev.memtune.tokenize.Tokenizer;

import java.util.*;

/**
 * Task examples to {@link Feature}s with a BERT tokenizer: {@code [CLS] a [SEP] (b [SEP])},
 * truncated longest-first to {@code max_seq_length}. Multiple choice becomes one row per choice,
 * {@code [CLS] context [SEP] choice [SEP]}, the context being the question (plus its extra context,
 * e.g. SciQ's support paragraph, when there is one). Questions may have different numbers of choices
 * (ARC has 3-, 4- and 5-choice questions): a batch pads each to its most and masks the padding
 * ({@link Batches#collate}, {@link dev.memtune.backbone.Batch#choiceMask}).
 */
public final class Featurizer {
    private Featurizer() {}

    /** The head a task trains. */
    public static HeadSpec head(Task task) {
        return switch (task.type()) {
            case CLASSIFICATION -> HeadSpec.classification(task.numLabels());
            case REGRESSION -> HeadSpec.regression();
            case MULTIPLE_CHOICE -> HeadSpec.multipleChoice(task.numLabels());
        };
    }

    public static List<Feature> features(Tokenizer tok, Task task, List<Example> examples, int maxLen) {
        return features(tok, task, examples, maxLen, false);
    }

    /** As above; {@code textToText}: the inputs in T5's format ({@link TextToText#input}). */
    public static List<Feature> features(Tokenizer tok, Task task, List<Example> examples, int maxLen, boolean textToText) {
        List<Feature> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (task.type() != TaskType.MULTIPLE_CHOICE) {
                String[] ab = textToText ? TextToText.input(task, e.textA(), e.textB()) : new String[]{e.textA(), e.textB()};
                Encoding enc = tok.encode(ab[0], ab[1], maxLen);
                out.add(Feature.of(enc.inputIds(), enc.tokenTypeIds(), e.label()));
                continue;
            }
            if (e.choices().size() < 2)
                throw new IllegalArgumentException(task.name() + " example " + e.id() + ": " + e.choices().size() + " choice(s), multiple choice needs at least 2");
            String ctx = e.textB() == null ? e.textA() : e.textA() + " " + e.textB();
            long[][] ids = new long[e.choices().size()][], types = new long[e.choices().size()][];
            for (int c = 0; c < ids.length; c++) {
                Encoding enc = tok.encode(ctx, e.choices().get(c), maxLen);
                ids[c] = enc.inputIds();
                types[c] = enc.tokenTypeIds();
            }
            out.add(new Feature(ids, types, e.label()));
        }
        return out;
    }

    /** The task's metrics ({@link Scores}) as an {@link SplitScorer}; the score is the papers' task score. */
    public static SplitScorer evaluator(Task task) {
        return (pred, gold) -> {
            TaskScore s = Scores.evaluate(task, pred, gold);
            Map<String, Double> m = new LinkedHashMap<>();
            s.values().forEach((k, v) -> m.put(k.key(), v));
            return new SplitScorer.Evaluation(m, s.score());
        };
    }

    /** Tokenized train/validation/test of a task under a protocol, ready for {@link Trainer}. */
    public static TrainData trainData(Tokenizer tok, TaskData d, int maxLen) { return trainData(tok, d, maxLen, false); }

    /** As above; {@code textToText}: an lm head generating the label names ({@link TextToText}). */
    public static TrainData trainData(Tokenizer tok, TaskData d, int maxLen, boolean textToText) {
        Task t = d.task();
        long[][] targets = textToText ? TextToText.targets(tok, t) : null;
        List<Feature> val = features(tok, t, d.validation(), maxLen, textToText);
        List<Feature> test = d.test().equals(d.validation()) ? val : features(tok, t, d.test(), maxLen, textToText);
        return new TrainData(t.name(), textToText ? HeadSpec.lm() : head(t), features(tok, t, d.train(), maxLen, textToText), val, test,
                tok.padId(), evaluator(t), targets);
    }
}
