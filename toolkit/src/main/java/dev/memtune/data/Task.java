package dev.memtune.data;

import dev.memtune.metrics.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * One task: its metadata (type, labels, metrics), its official splits and their files relative to
 * the data folder (e.g. {@code rte/train.tsv}), and the reader of its official layout. Obtain tasks
 * from {@link Tasks#get(String)}; load them with {@link #load(Protocol, long)}.
 */
public final class Task {
    /** How {@link Protocol#LST} splits this task (see {@link Protocol}). */
    public enum LstSplit { LARGE, SMALL, MNLI, OFFICIAL, NONE }

    private final String name, displayName, devSplit, testSplit, note;
    private final TaskType type;
    private final List<String> labelNames;
    private final int numChoices;
    private final List<Metric> metrics;
    private final Metric mainMetric;
    private final LinkedHashMap<String, List<String>> splits;
    private final SplitReader reader;
    private final LstSplit lstSplit;
    private final boolean glue;

    private Task(Builder b) {
        name = b.name; displayName = b.displayName; devSplit = b.devSplit; testSplit = b.testSplit; note = b.note;
        type = b.type; labelNames = List.copyOf(b.labelNames); numChoices = b.numChoices;
        metrics = List.copyOf(b.metrics); mainMetric = b.mainMetric; splits = new LinkedHashMap<>(b.splits);
        reader = b.reader; lstSplit = b.lstSplit; glue = b.glue;
    }

    public static Builder builder(String name) { return new Builder(name); }

    /** Registry name, lower case: {@code rte}, {@code sst2}, {@code arc-easy}, ... */
    public String name() { return name; }

    /** Name as the papers print it: {@code RTE}, {@code SST-2}, {@code ARC-Easy}, ... */
    public String displayName() { return displayName; }

    public TaskType type() { return type; }

    /** Number of classes (classification), 1 (regression), or the usual number of choices (multiple choice). */
    public int numLabels() {
        return switch (type) { case CLASSIFICATION -> labelNames.size(); case REGRESSION -> 1; case MULTIPLE_CHOICE -> numChoices; };
    }

    /** Label strings in class-index order as in the files (empty for regression and multiple choice). */
    public List<String> labelNames() { return labelNames; }

    /** Every metric reported for this task; includes {@link #mainMetric()}. */
    public List<Metric> metrics() { return metrics; }

    /** The task score of the papers (CoLA MCC, MRPC/QQP F1-accuracy mean, STS-B Pearson-Spearman mean, else accuracy). */
    public Metric mainMetric() { return mainMetric; }

    /** A GLUE benchmark task (true for mnli and mnli-mm; the GLUE average uses {@link Tasks#GLUE_AVERAGE_TASKS}). */
    public boolean isGlue() { return glue; }

    /** Official split names in declaration order, e.g. {@code [train, dev]}, MNLI {@code [train, dev_matched, dev_mismatched]}. */
    public List<String> splits() { return List.copyOf(splits.keySet()); }

    /** The labelled split that results are reported on under {@link Protocol#STANDARD} and that {@code memtune metrics} scores. */
    public String devSplit() { return devSplit; }

    /** A labelled official test split, or null when none is public (GLUE, PIQA, BoolQ, COPA). */
    public String testSplit() { return testSplit; }

    public LstSplit lstSplit() { return lstSplit; }

    /** The reader of this task's official layout (for files outside the data folder, e.g. a download being verified). */
    public SplitReader reader() { return reader; }

    /** Files of a split relative to the data folder, e.g. {@code [rte/train.tsv]}. */
    public List<String> files(String split) {
        List<String> f = splits.get(split);
        if (f == null) throw new IllegalArgumentException("task " + name + " has no split '" + split + "' (splits: " + splits.keySet() + ")");
        return f;
    }

    /** Files (relative) of every split that are absent from {@code dataDir}; empty when all are there. */
    public List<String> missing(Path dataDir) {
        List<String> out = new ArrayList<>();
        for (List<String> fs : splits.values()) for (String f : fs) if (!Files.isRegularFile(dataDir.resolve(f))) out.add(f);
        return out;
    }

    /** Reads one official split from {@link Tasks#dataDir()}. */
    public List<Example> read(String split) { return read(Tasks.dataDir(), split); }

    /**
     * Reads one official split, in file order.
     *
     * @throws MissingDataException naming the path and how to fetch it, when a file is absent
     * @throws DataException        naming file and line, when a row does not fit the layout
     */
    public List<Example> read(Path dataDir, String split) {
        require(dataDir, split);
        List<Path> paths = files(split).stream().map(dataDir::resolve).toList();
        try {
            return reader.read(paths, split);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + name + ": cannot read " + paths + ": " + e.getMessage(), e);
        }
    }

    /** Throws one {@link MissingDataException} listing every absent file of these splits; returns quietly when all are there. */
    public void require(Path dataDir, String... splitNames) {
        List<String> bad = new ArrayList<>();
        List<Path> absent = new ArrayList<>();
        for (String s : splitNames)
            for (String f : files(s))
                if (!Files.isRegularFile(dataDir.resolve(f))) {
                    if (!bad.contains(s)) bad.add(s);
                    absent.add(dataDir.resolve(f));
                }
        if (!absent.isEmpty()) throw new MissingDataException(name, bad, absent, dataDir, hint());
    }

    /**
     * Where this protocol's splits are read from: the data folder ({@link Tasks#dataDir()}) when it
     * holds them all; else, only if {@code allowSample} (smoke runs), the bundled {@link Samples}
     * when they hold them all.
     *
     * @param allowSample whether a bundled sample may stand in for missing files; callers pass true
     *                    for smoke scale only, so real runs never train on a sample by accident
     * @throws MissingDataException naming the absent files of the data folder (and, when a sample
     *                              exists but was not allowed, saying so)
     */
    public DataSource locate(Protocol protocol, boolean allowSample) {
        Path dir = Tasks.dataDir();
        List<String> needed = protocol.needed(this);
        String[] splitNames = needed.toArray(String[]::new);
        try {
            require(dir, splitNames);
            return new DataSource(DataSource.Kind.STAGED, dir);
        } catch (MissingDataException e) {
            boolean sample = !needed.isEmpty() && Samples.has(this, needed);
            if (sample && allowSample) return new DataSource(DataSource.Kind.SAMPLE, Samples.dir());
            if (!sample) throw e;
            List<String> bad = new ArrayList<>();
            for (String s : needed) for (String f : files(s)) if (!Files.isRegularFile(dir.resolve(f)) && !bad.contains(s)) bad.add(s);
            throw new MissingDataException(name, bad, e.missing(), dir, hint()
                    + " (A bundled sample of " + name + " exists, but only smoke scale uses samples.)");
        }
    }

    /** {@link #load(Path, Protocol, long)} from {@link Tasks#dataDir()} with seed {@link Protocol#DEFAULT_SEED}. */
    public TaskData load(Protocol protocol) { return load(Tasks.dataDir(), protocol, Protocol.DEFAULT_SEED); }

    /** {@link #load(Path, Protocol, long)} from {@link Tasks#dataDir()}. */
    public TaskData load(Protocol protocol, long seed) { return load(Tasks.dataDir(), protocol, seed); }

    /** Train / validation / test as the protocol defines them; {@code seed} drives the protocol's shuffles only. */
    public TaskData load(Path dataDir, Protocol protocol, long seed) { return protocol.apply(this, dataDir, seed); }

    /**
     * A gold label or prediction as written by a user: a class index ({@code 1}), a label string as
     * in the files ({@code entailment}), a choice index, or for regression a number.
     *
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public double parseLabel(String s) {
        String t = s.trim();
        if (type == TaskType.REGRESSION) {
            try {
                double v = Double.parseDouble(t);
                if (Double.isFinite(v)) return v;
            } catch (NumberFormatException ignored) { /* below */ }
            throw new IllegalArgumentException("'" + s + "' is not a finite number");
        }
        int k = labelNames.indexOf(t);
        if (k < 0 && type == TaskType.CLASSIFICATION) for (int i = 0; i < labelNames.size(); i++) if (labelNames.get(i).equalsIgnoreCase(t)) k = i;
        if (k >= 0) return k;
        try {
            int v = Integer.parseInt(t);
            int n = type == TaskType.CLASSIFICATION ? labelNames.size() : Integer.MAX_VALUE;
            if (v >= 0 && v < n) return v;
        } catch (NumberFormatException ignored) { /* below */ }
        throw new IllegalArgumentException("'" + s + "' is not a label of " + name + " (expected "
                + (type == TaskType.CLASSIFICATION ? "0.." + (labelNames.size() - 1) + " or one of " + labelNames : "a choice index >= 0") + ")");
    }

    /** How to get this task's files; part of every {@link MissingDataException}. */
    public String hint() {
        return (note == null ? "" : note + " ") + "Fetch with `reproduce/memtune fetch-data --task " + name
                + "` (needs network), or set MEMTUNE_DATA (or -Dmemtune.data) to a folder holding " + String.join(", ", allFiles()) + ".";
    }

    private List<String> allFiles() {
        List<String> out = new ArrayList<>();
        splits.values().forEach(out::addAll);
        return out;
    }

    @Override
    public String toString() { return name; }

    /** Builder; {@code build()} checks the metadata is complete and consistent. */
    public static final class Builder {
        private final String name;
        private String displayName, devSplit = "dev", testSplit, note;
        private TaskType type;
        private List<String> labelNames = List.of();
        private int numChoices;
        private List<Metric> metrics;
        private Metric mainMetric;
        private final LinkedHashMap<String, List<String>> splits = new LinkedHashMap<>();
        private SplitReader reader;
        private LstSplit lstSplit = LstSplit.NONE;
        private boolean glue;

        private Builder(String name) { this.name = name; this.displayName = name; }

        public Builder optDisplayName(String v) { displayName = v; return this; }
        public Builder setClassification(String... labels) { type = TaskType.CLASSIFICATION; labelNames = List.of(labels); return this; }
        public Builder setRegression() { type = TaskType.REGRESSION; return this; }
        public Builder setMultipleChoice(int choices) { type = TaskType.MULTIPLE_CHOICE; numChoices = choices; return this; }
        public Builder setMetrics(Metric main, Metric... all) { mainMetric = main; metrics = List.of(all); return this; }
        public Builder addSplit(String split, String... files) { splits.put(split, List.of(files)); return this; }
        public Builder setReader(SplitReader r) { reader = r; return this; }
        public Builder optDevSplit(String v) { devSplit = v; return this; }
        public Builder optTestSplit(String v) { testSplit = v; return this; }
        public Builder optLstSplit(LstSplit v) { lstSplit = v; return this; }
        public Builder optGlue(boolean v) { glue = v; return this; }
        /** A sentence prepended to the missing-file hint (e.g. why a split is not staged). */
        public Builder optNote(String v) { note = v; return this; }

        public Task build() {
            if (type == null) throw new IllegalStateException("task " + name + ": type not set");
            if (reader == null) throw new IllegalStateException("task " + name + ": reader not set");
            if (mainMetric == null || !metrics.contains(mainMetric)) throw new IllegalStateException("task " + name + ": main metric must be among its metrics");
            if (!splits.containsKey("train") || !splits.containsKey(devSplit)) throw new IllegalStateException("task " + name + ": needs train and " + devSplit + " splits");
            if (testSplit != null && !splits.containsKey(testSplit)) throw new IllegalStateException("task " + name + ": unknown test split " + testSplit);
            return new Task(this);
        }
    }
}
