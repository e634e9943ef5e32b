package dev.memtune.data;

/** What a task's label is: a class index, a real-valued score, or the index of the right choice. */
public enum TaskType {
    /** {@link Example#label()} is a class index in {@code [0, numLabels)}. */
    CLASSIFICATION,
    /** {@link Example#label()} is a real-valued score (STS-B: 0..5). */
    REGRESSION,
    /** {@link Example#label()} is the index of the correct entry of {@link Example#choices()}. */
    MULTIPLE_CHOICE
}
