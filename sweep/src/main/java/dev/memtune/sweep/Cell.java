package dev.memtune.sweep;

import java.io.Serializable;
import java.util.*;

/**
 * One run of a grid: a config file (path below {@code reproduce/configs}), a task, a seed, a scale and
 * the grid's {@code --set} overrides. The driver fills in {@code resultPath}, the result file below
 * the output folder as {@code memtune train} will write it ({@code [variants/<v>/]results/<table>/<config-id>/<task>/seed<k>.json}),
 * so the executor side needs nothing of the toolkit. Travels to executors, hence plain strings.
 *
 * @param index      position in the grid's expansion (file order), from 0
 * @param overrides  {@code key.path -> value} as {@code memtune train --set} takes them, in file order
 */
public record Cell(int index, String config, String task, int seed, String scale, LinkedHashMap<String, String> overrides,
                   String resultPath) implements Serializable {

    /** {@code glue/bert-base/full.json rte seed42 [train.learning_rate=1e-4]}. */
    public String label() {
        return config.replaceAll("\\.json$", "") + " " + task + " seed" + seed + (overrides.isEmpty() ? "" : " " + overrides);
    }

    /**
     * The sub-folder of the output folder that holds this cell's results and checkpoints: the output
     * folder itself without overrides, else {@code variants/<k=v,...>} (result files are named by config,
     * task and seed only, so two override sets of one cell would otherwise share a file).
     */
    public String outSubdir() {
        if (overrides.isEmpty()) return "";
        StringJoiner j = new StringJoiner(",");
        overrides.forEach((k, v) -> j.add(k + "=" + v));
        return "variants/" + j.toString().replaceAll("[^A-Za-z0-9._=,+-]", "_");
    }

    /** Same cell with its result file named. */
    public Cell withResultPath(String p) { return new Cell(index, config, task, seed, scale, overrides, p); }

    /** The arguments of {@code memtune train} for this cell (the config under {@code configsDir}, results under {@code out}). */
    public List<String> trainArgs(String configsDir, String out) {
        List<String> a = new ArrayList<>(List.of("train", "--config", configsDir + "/" + config, "--task", task, "--seed", Integer.toString(seed),
                "--scale", scale, "--out", outSubdir().isEmpty() ? out : out + "/" + outSubdir(), "--resume"));
        overrides.forEach((k, v) -> { a.add("--set"); a.add(k + "=" + v); });
        return a;
    }

    /** Identity of a cell for de-duplication: everything but its position and result file. */
    String key() { return config + "|" + task + "|" + seed + "|" + scale + "|" + overrides; }
}
