package dev.memtune.data;

import java.nio.file.Path;

/**
 * Where a task's files are read from: the data folder ({@link Kind#STAGED}) or the samples bundled
 * with the toolkit ({@link Kind#SAMPLE}, see {@link Samples}). Results record {@link #label()} as
 * {@code data.source}.
 *
 * @param kind staged data or bundled sample
 * @param dir  the folder holding the task layout ({@code <dir>/rte/train.tsv})
 */
public record DataSource(Kind kind, Path dir) {
    /** The two places task files come from. */
    public enum Kind {
        /** The data folder ({@link Tasks#dataDir()}): the official files, whole. */
        STAGED("staged"),
        /** The bundled samples ({@link Samples#dir()}): the first rows of each file, for smoke runs only. */
        SAMPLE("bundled sample");

        private final String label;

        Kind(String label) { this.label = label; }

        /** {@code staged} or {@code bundled sample}, as results and reports print it. */
        public String label() { return label; }

        /** The kind of a label as {@link #label()} writes it. */
        public static Kind ofLabel(String s) {
            for (Kind k : values()) if (k.label.equals(s)) return k;
            throw new IllegalArgumentException("unknown data source '" + s + "' (staged, bundled sample)");
        }
    }

    /** {@code staged} or {@code bundled sample}. */
    public String label() { return kind.label(); }

    /** True for the bundled sample. */
    public boolean isSample() { return kind == Kind.SAMPLE; }
}
