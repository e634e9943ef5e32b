package dev.memtune.scoring;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.data.Example;
import dev.memtune.data.Task;
import dev.memtune.data.Tasks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code memtune metrics}: scores a predictions file against a task's labelled split and prints JSON. */
public final class MetricsCommand implements Command {
    @Override
    public String summary() { return "score a predictions file against a task's dev labels (JSON)"; }

    @Override
    public String usage() {
        return """
                usage: reproduce/memtune metrics --task TASK --predictions FILE [--split SPLIT]

                Scores FILE, one prediction per line in the order of the split's file, against the
                task's gold labels and prints the task's metrics as JSON (fractions; NaN -> null).
                  --task TASK         one of: %s
                  --predictions FILE  per line: a class index (1) or a label string as in the data
                                      files (entailment); a choice index for multiple choice; a
                                      number for STS-B
                  --split SPLIT       official labelled split (default: the task's dev split,
                                      e.g. dev, or dev_matched for mnli)
                Data folder: MEMTUNE_DATA (or -Dmemtune.data), default data/.
                """.formatted(String.join(", ", Tasks.names()));
    }

    @Override
    public int run(Args args) throws Exception {
        Task task = Tasks.get(args.require("task"));
        Path file = Path.of(args.require("predictions"));
        String split = args.get("split", task.devSplit());
        args.rejectUnknown();
        task.files(split);
        List<Example> gold = task.read(split);
        double[] pred = readPredictions(task, file, gold.size());
        JsonObject o = Scores.evaluate(task, gold, pred).toJson();
        o.addProperty("split", split);
        o.addProperty("predictions", file.toString());
        System.out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o));
        return 0;
    }

    /**
     * Reads one prediction per line (a trailing newline is optional).
     *
     * @throws IllegalArgumentException naming the file and line of an unparsable or blank line, or
     *                                  the counts when the file has another number of lines
     */
    public static double[] readPredictions(Task task, Path file, int expected) throws java.io.IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("predictions file " + file + " does not exist");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> lines = text.lines().toList();
        if (lines.size() != expected)
            throw new IllegalArgumentException(file + ": " + lines.size() + " predictions, but the " + task.name()
                    + " split has " + expected + " examples (one prediction per line, in file order)");
        double[] out = new double[expected];
        for (int i = 0; i < expected; i++) {
            if (lines.get(i).isBlank()) throw new IllegalArgumentException(file + " line " + (i + 1) + ": empty prediction");
            try {
                out[i] = task.parseLabel(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
