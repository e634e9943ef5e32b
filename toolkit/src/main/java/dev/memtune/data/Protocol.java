package dev.memtune.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a task's official splits become train / validation / test.
 *
 * <h2>{@link #LST}</h2>
 * The protocol of Sung, Cho, Bansal, "LST: Ladder Side-Tuning for Parameter and Memory Efficient
 * Transfer Learning", NeurIPS 2022 (arXiv:2206.06522), as in its released code (the GLUE test
 * labels are not public, so a test set is carved out of public data):
 * <ul>
 *   <li>large tasks (SST-2, QNLI, QQP): 1,000 training examples, drawn by a shuffle with the seed
 *       (42 in the paper), become validation; the rest is train; the official dev set is test;</li>
 *   <li>small tasks (RTE, MRPC, STS-B, CoLA, and WNLI): train is the official train; the official
 *       dev set is shuffled with the seed and split in halves, the first {@code floor(n/2)} are
 *       validation and the rest test (RTE: 277 -> 138 + 139);</li>
 *   <li>MNLI: train is train, dev-mismatched is validation, dev-matched is test.</li>
 * </ul>
 * QA tasks are outside the LST paper; they follow the same code's rules: a task with labelled
 * official train/dev/test (OpenBookQA, ARC, SciQ) keeps them; one without a labelled test (PIQA,
 * BoolQ, COPA) is treated as small (dev halves).
 *
 * <h2>{@link #STANDARD}</h2>
 * The usual protocol, used by MEFT (Liao, Tan, Monz, "Make Pre-trained Model Reversible",
 * NeurIPS 2023, arXiv:2306.00477): train on the official train split, select and report on the
 * official dev split (validation = test = dev; MNLI: dev-matched). A task with a labelled official
 * test split (OpenBookQA, ARC, SciQ) reports on it instead (validation = dev, test = test).
 *
 * <h2>Shuffling</h2>
 * {@link TorchRandperm#permutation(int, long)}: {@code torch.randperm(n)} with a generator seeded
 * with the seed, exactly as the LST code draws it, so validation and test hold the same examples as
 * LST's (the first {@code k} of the permutation are validation, the rest test or train); each subset
 * is then returned in file order, which no metric depends on. {@link #SPLIT} names this procedure in
 * every result, so results of an earlier procedure are never reused as if they were of this one.
 */
public enum Protocol {
    LST,
    STANDARD;

    /** Seed of the LST paper's splits. */
    public static final long DEFAULT_SEED = 42;

    /** The shuffle behind the splits, recorded in results (before 2026-11-26: a SplitMix64 Fisher-Yates). */
    public static final String SPLIT = "torch.randperm";

    /** Number of training examples that LST moves to validation for large tasks. */
    public static final int LST_LARGE_VALIDATION = 1000;

    /** Parses {@code lst} / {@code standard} (also {@code meft}), case-insensitive. */
    public static Protocol parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "lst" -> LST;
            case "standard", "meft" -> STANDARD;
            default -> throw new IllegalArgumentException("unknown protocol '" + s + "' (lst, standard)");
        };
    }

    TaskData apply(Task task, Path dir, long seed) {
        String dev = task.devSplit(), test = task.testSplit();
        task.require(dir, needed(task).toArray(String[]::new));
        if (this == STANDARD) {
            List<Example> train = task.read(dir, "train"), d = task.read(dir, dev);
            List<Example> t = test == null ? d : task.read(dir, test);
            return new TaskData(task, this, seed, train, d, t,
                    "standard: train = train, validation = " + dev + ", test = " + (test == null ? dev : test));
        }
        switch (task.lstSplit()) {
            case OFFICIAL:
                return new TaskData(task, this, seed, task.read(dir, "train"), task.read(dir, dev), task.read(dir, test),
                        "LST: official train, " + dev + ", " + test);
            case MNLI:
                return new TaskData(task, this, seed, task.read(dir, "train"), task.read(dir, "dev_mismatched"),
                        task.read(dir, "dev_matched"), "LST: validation = dev_mismatched, test = dev_matched");
            case LARGE: {
                List<Example> all = task.read(dir, "train");
                if (all.size() <= LST_LARGE_VALIDATION)
                    throw new IllegalStateException("task " + task.name() + ": train has only " + all.size() + " examples, LST needs more than " + LST_LARGE_VALIDATION);
                List<List<Example>> parts = cut(all, LST_LARGE_VALIDATION, seed);
                return new TaskData(task, this, seed, parts.get(1), parts.get(0), task.read(dir, dev),
                        "LST: validation = " + LST_LARGE_VALIDATION + " of train (" + SPLIT + ", seed " + seed + "), train = the other "
                                + parts.get(1).size() + ", test = " + dev);
            }
            case SMALL: {
                List<Example> d = task.read(dir, dev);
                List<List<Example>> parts = cut(d, d.size() / 2, seed);
                return new TaskData(task, this, seed, task.read(dir, "train"), parts.get(0), parts.get(1),
                        "LST: " + dev + " shuffled (" + SPLIT + ", seed " + seed + ") and halved: validation " + parts.get(0).size()
                                + ", test " + parts.get(1).size());
            }
            default:
                throw new IllegalArgumentException("task " + task.name() + " has no LST split (" + task.lstSplit() + "); use " + STANDARD);
        }
    }

    /** Official splits this protocol reads for the task. */
    List<String> needed(Task task) {
        String dev = task.devSplit(), test = task.testSplit();
        if (this == LST && task.lstSplit() == Task.LstSplit.MNLI) return List.of("train", "dev_mismatched", "dev_matched");
        if (this == LST && task.lstSplit() == Task.LstSplit.NONE) return List.of();
        return test == null || (this == LST && task.lstSplit() != Task.LstSplit.OFFICIAL) ? List.of("train", dev) : List.of("train", dev, test);
    }

    /** The first {@code k} of a seeded permutation, then the rest; each part in file order. */
    static List<List<Example>> cut(List<Example> all, int k, long seed) {
        int[] p = TorchRandperm.permutation(all.size(), seed);
        int[] first = Arrays.copyOfRange(p, 0, k), rest = Arrays.copyOfRange(p, k, p.length);
        Arrays.sort(first);
        Arrays.sort(rest);
        return List.of(pick(all, first), pick(all, rest));
    }

    private static List<Example> pick(List<Example> all, int[] idx) {
        List<Example> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(all.get(i));
        return out;
    }
}
