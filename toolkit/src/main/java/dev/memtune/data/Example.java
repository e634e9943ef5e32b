package dev.memtune.data;

import java.util.List;

/**
 * One labelled example, the same shape for every task.
 *
 * <ul>
 *   <li>Sentence(-pair) tasks: {@code textA} (and {@code textB}, null for single-sentence tasks such
 *       as CoLA and SST-2); {@code choices} is empty.</li>
 *   <li>Multiple choice: {@code textA} is the context (question stem, PIQA goal, COPA premise),
 *       {@code textB} optional extra context (SciQ support paragraph, COPA "cause"/"effect"; null
 *       when absent) and {@code choices} the candidate answers; a model scores each
 *       (context, choice) pair.</li>
 * </ul>
 * {@code label} is a class index or choice index (an integral double) or a regression score; it is
 * NaN for unlabelled examples (never produced by the readers of labelled splits).
 *
 * @param id     the file's own id where it has one (GLUE index column, QA id), else
 *               {@code <split>-<row>} with a 0-based data row
 */
public record Example(String id, String textA, String textB, List<String> choices, double label) {
    public Example {
        choices = choices == null ? List.of() : List.copyOf(choices);
    }

    /** Sentence or sentence-pair example. */
    public static Example pair(String id, String textA, String textB, double label) {
        return new Example(id, textA, textB, List.of(), label);
    }

    /** Multiple-choice example; {@code answer} is the index of the correct choice. */
    public static Example choice(String id, String context, String extra, List<String> choices, int answer) {
        return new Example(id, context, extra, choices, answer);
    }

    /** The label as a class/choice index; throws if the label is not integral. */
    public int labelIndex() {
        if (Double.isNaN(label) || label != Math.rint(label))
            throw new IllegalStateException("example " + id + ": label " + label + " is not a class index");
        return (int) label;
    }

    public boolean isMultipleChoice() { return !choices.isEmpty(); }
}
