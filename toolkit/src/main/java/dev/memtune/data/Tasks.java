package dev.memtune.data;

import dev.memtune.sys.Project;
import static dev.memtune.data.GlueTsv.NONE;
import static dev.memtune.metrics.Metric.*;

import dev.memtune.data.Task.LstSplit;
import java.nio.file.Path;
import java.util.*;

/**
 * Registry of the tasks of the three papers: GLUE (CoLA, SST-2, MRPC, QQP, STS-B, MNLI matched and
 * mismatched, QNLI, RTE, WNLI) in the official GLUE TSV layout, and the QA multiple-choice tasks
 * (OpenBookQA, ARC-Easy, ARC-Challenge, PIQA, SciQ) plus BoolQ and COPA in their official JSON
 * layouts. Files live under {@link #dataDir()} in one folder per task ({@code rte/train.tsv}).
 *
 * <p>Label orders: GLUE label strings as in the files; MNLI
 * {@code [entailment, neutral, contradiction]} and QNLI/RTE {@code [entailment, not_entailment]}
 * (the Hugging Face {@code datasets} order); BoolQ {@code [false, true]}.
 */
public final class Tasks {
    private static final Map<String, Task> TASKS = new LinkedHashMap<>();

    /** The 8 GLUE tasks of the LST paper's GLUE average (WNLI excluded; MNLI = matched). */
    public static final List<String> GLUE_AVERAGE_TASKS = List.of("cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "qnli", "rte");

    private Tasks() {}

    static {
        String[] b = {"0", "1"}, nli2 = {"entailment", "not_entailment"};
        String glueNote = "GLUE files come from https://gluebenchmark.com (download_glue_data.py URLs).";
        add(glue("cola", "CoLA", LstSplit.SMALL, new GlueTsv(false, 4, false, NONE, 3, NONE, 1, List.of(b)), b)
                .setMetrics(MCC, MCC, ACCURACY));
        add(glue("sst2", "SST-2", LstSplit.LARGE, new GlueTsv(true, 2, false, NONE, 0, NONE, 1, List.of(b)), b)
                .setMetrics(ACCURACY, ACCURACY));
        add(glue("mrpc", "MRPC", LstSplit.SMALL, new GlueTsv(true, 5, false, NONE, 3, 4, 0, List.of(b)), b)
                .setMetrics(F1_ACCURACY_MEAN, ACCURACY, F1, F1_ACCURACY_MEAN));
        add(glue("qqp", "QQP", LstSplit.LARGE, new GlueTsv(true, 6, false, 0, 3, 4, 5, List.of(b)), b)
                .setMetrics(F1_ACCURACY_MEAN, ACCURACY, F1, F1_ACCURACY_MEAN)
                .optNote("QQP is not staged in this workspace (files too large)."));
        add(Task.builder("stsb").optDisplayName("STS-B").setRegression().optGlue(true).optLstSplit(LstSplit.SMALL)
                .addSplit("train", "stsb/train.tsv").addSplit("dev", "stsb/dev.tsv")
                .setReader(new GlueTsv(true, 10, false, 0, 7, 8, -1, null))
                .setMetrics(PEARSON_SPEARMAN_MEAN, PEARSON, SPEARMAN, PEARSON_SPEARMAN_MEAN));
        GlueTsv mnli = new GlueTsv(true, 12, true, 0, 8, 9, -1, List.of("entailment", "neutral", "contradiction"));
        for (String v : new String[] {"mnli", "mnli-mm"})
            add(Task.builder(v).optDisplayName(v.equals("mnli") ? "MNLI" : "MNLI-mm").optGlue(true)
                    .setClassification("entailment", "neutral", "contradiction")
                    .addSplit("train", "mnli/train.tsv").addSplit("dev_matched", "mnli/dev_matched.tsv")
                    .addSplit("dev_mismatched", "mnli/dev_mismatched.tsv").setReader(mnli)
                    .optDevSplit(v.equals("mnli") ? "dev_matched" : "dev_mismatched")
                    .optLstSplit(v.equals("mnli") ? LstSplit.MNLI : LstSplit.NONE)
                    .setMetrics(ACCURACY, ACCURACY).optNote("MNLI is not staged in this workspace (files too large)."));
        add(glue("qnli", "QNLI", LstSplit.LARGE, new GlueTsv(true, 4, false, 0, 1, 2, -1, List.of(nli2)), nli2)
                .setMetrics(ACCURACY, ACCURACY)
                .optNote("QNLI train (104,743 rows) is not staged in this workspace (file too large); only dev is."));
        add(glue("rte", "RTE", LstSplit.SMALL, new GlueTsv(true, 4, false, 0, 1, 2, -1, List.of(nli2)), nli2)
                .setMetrics(ACCURACY, ACCURACY));
        add(glue("wnli", "WNLI", LstSplit.SMALL, new GlueTsv(true, 4, false, 0, 1, 2, -1, List.of(b)), b)
                .setMetrics(ACCURACY, ACCURACY));

        for (String[] t : new String[][] {{"openbookqa", "OpenBookQA"}, {"arc-easy", "ARC-Easy"}, {"arc-challenge", "ARC-Challenge"}})
            add(Task.builder(t[0]).optDisplayName(t[1]).setMultipleChoice(4).setReader(QaFormats.AI2_JSONL)
                    .addSplit("train", t[0] + "/train.jsonl").addSplit("dev", t[0] + "/dev.jsonl").addSplit("test", t[0] + "/test.jsonl")
                    .optTestSplit("test").optLstSplit(LstSplit.OFFICIAL).setMetrics(ACCURACY, ACCURACY));
        add(Task.builder("piqa").optDisplayName("PIQA").setMultipleChoice(2).setReader(QaFormats.PIQA)
                .addSplit("train", "piqa/train.jsonl", "piqa/train-labels.lst").addSplit("dev", "piqa/valid.jsonl", "piqa/valid-labels.lst")
                .optLstSplit(LstSplit.SMALL).setMetrics(ACCURACY, ACCURACY)
                .optNote("PIQA train.jsonl is not staged in this workspace (over the size limit; only its labels are)."));
        add(Task.builder("sciq").optDisplayName("SciQ").setMultipleChoice(4).setReader(QaFormats.SCIQ_JSON)
                .addSplit("train", "sciq/train.json").addSplit("dev", "sciq/valid.json").addSplit("test", "sciq/test.json")
                .optTestSplit("test").optLstSplit(LstSplit.OFFICIAL).setMetrics(ACCURACY, ACCURACY)
                .optNote("SciQ train is not staged in this workspace (over the size limit)."));
        add(Task.builder("boolq").optDisplayName("BoolQ").setClassification("false", "true").setReader(QaFormats.BOOLQ_JSONL)
                .addSplit("train", "boolq/train.jsonl").addSplit("dev", "boolq/val.jsonl")
                .optLstSplit(LstSplit.SMALL).setMetrics(ACCURACY, ACCURACY)
                .optNote("BoolQ train is not staged in this workspace (over the size limit)."));
        add(Task.builder("copa").optDisplayName("COPA").setMultipleChoice(2).setReader(QaFormats.COPA_JSONL)
                .addSplit("train", "copa/train.jsonl").addSplit("dev", "copa/val.jsonl")
                .optLstSplit(LstSplit.SMALL).setMetrics(ACCURACY, ACCURACY));
    }

    private static Task.Builder glue(String name, String display, LstSplit lst, GlueTsv reader, String[] labels) {
        return Task.builder(name).optDisplayName(display).optGlue(true).optLstSplit(lst).setClassification(labels)
                .addSplit("train", name + "/train.tsv").addSplit("dev", name + "/dev.tsv").setReader(reader);
    }

    private static void add(Task.Builder b) {
        Task t = b.build();
        TASKS.put(t.name(), t);
    }

    /**
     * The task of that name, case-insensitive; the papers' spellings ({@code SST-2}, {@code STS-B},
     * {@code ARC-Easy}) work too.
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static Task get(String name) {
        String k = name.toLowerCase(Locale.ROOT).trim();
        Task t = TASKS.get(k);
        if (t == null) for (Task x : TASKS.values()) if (x.displayName().equalsIgnoreCase(k)) t = x;
        if (t == null) throw new IllegalArgumentException("unknown task '" + name + "' (known: " + String.join(", ", TASKS.keySet()) + ")");
        return t;
    }

    /** All registry names in a fixed order (GLUE first). */
    public static List<String> names() { return List.copyOf(TASKS.keySet()); }

    public static List<Task> all() { return List.copyOf(TASKS.values()); }

    /**
     * The data folder: system property {@code memtune.data}, else env {@code MEMTUNE_DATA}, else
     * {@code data/} in the project folder ({@link Project#root()}).
     */
    public static Path dataDir() {
        String p = System.getProperty("memtune.data");
        if (p != null && !p.isBlank()) return Path.of(p);
        String e = System.getenv("MEMTUNE_DATA");
        if (e != null && !e.isBlank()) return Path.of(e);
        return Project.root().resolve("data");
    }

    /** {@link #dataDir()} and which setting chose it, for messages. */
    public static String dataDirDescription() {
        String p = System.getProperty("memtune.data"), e = System.getenv("MEMTUNE_DATA");
        String from = p != null && !p.isBlank() ? "system property memtune.data"
                : e != null && !e.isBlank() ? "env MEMTUNE_DATA" : "default; set MEMTUNE_DATA to change";
        return dataDir().toAbsolutePath() + ", " + from;
    }
}
