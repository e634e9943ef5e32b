package dev.memtune.method;

/**
 * The task a model is tuned for. {@code classification} (numLabels classes, cross-entropy),
 * {@code regression} (one score, MSE, e.g. STS-B), {@code multiple_choice} (inputs are B*C rows,
 * one score per row, softmax over the C choices), {@code lm} (T5 text-to-text / OPT causal LM:
 * the backbone's own LM head and token cross-entropy).
 */
public record HeadSpec(String kind, int numLabels, int numChoices) {
    public static HeadSpec classification(int n) { return new HeadSpec("classification", n, 0); }
    public static HeadSpec regression() { return new HeadSpec("regression", 1, 0); }
    public static HeadSpec multipleChoice(int choices) { return new HeadSpec("multiple_choice", 1, choices); }
    public static HeadSpec lm() { return new HeadSpec("lm", 0, 0); }

    public HeadSpec {
        switch (kind) {
            case "classification" -> { if (numLabels < 2) throw new IllegalArgumentException("classification head needs numLabels >= 2, got " + numLabels); }
            case "regression", "lm" -> { }
            case "multiple_choice" -> { if (numChoices < 2) throw new IllegalArgumentException("multiple_choice head needs numChoices >= 2, got " + numChoices); }
            default -> throw new IllegalArgumentException("unknown head kind '" + kind + "' (classification, regression, multiple_choice, lm)");
        }
    }
}
