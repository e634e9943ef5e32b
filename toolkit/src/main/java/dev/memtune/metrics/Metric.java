package dev.memtune.metrics;

/**
 * The metrics a task reports, with the key used in result JSON. The two means are the papers'
 * combined task scores (LST, GLUE leaderboard): MRPC/QQP report the mean of F1 and accuracy, STS-B
 * the mean of Pearson and Spearman correlation.
 */
public enum Metric {
    ACCURACY("accuracy"),
    F1("f1"),
    MCC("mcc"),
    PEARSON("pearson"),
    SPEARMAN("spearman"),
    F1_ACCURACY_MEAN("f1_accuracy_mean"),
    PEARSON_SPEARMAN_MEAN("pearson_spearman_mean");

    private final String key;

    Metric(String key) { this.key = key; }

    /** Name in result maps and JSON. */
    public String key() { return key; }
}
