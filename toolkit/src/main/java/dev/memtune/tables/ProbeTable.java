package dev.memtune.tables;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.memtune.train.ExperimentResult;
import dev.memtune.train.Results;

import java.nio.file.Path;
import java.util.*;

/**
 * {@code memtune results probes}: the probes of a backbone (configs under {@code reproduce/configs/probes/},
 * results under {@code runs/probes/<backbone>/}), each beside the table's row of the same method, task and
 * seed and beside full fine-tuning's, so what was tried for a method that fell behind reads as a difference
 * on both halves of the data (validation picks; test reports). Each probe's config description says what
 * it changed and why.
 */
final class ProbeTable {
    private ProbeTable() {}

    /** {@link #rows} of the results under {@code dir} ({@code <dir>/probes|glue|qa/<backbone>}). */
    static List<JsonObject> rows(Path dir, String backbone) {
        List<ExperimentResult> tables = new ArrayList<>(Results.load(dir.resolve("glue").resolve(backbone)));
        tables.addAll(Results.load(dir.resolve("qa").resolve(backbone)));
        return rows(Results.load(dir.resolve("probes").resolve(backbone)), tables, backbone);
    }

    /**
     * One row per probe result, sorted by probe then task then seed: the fields of {@link ResultsCommand#rows}
     * plus {@code probe} (the config id without the backbone), {@code method}, {@code description}, and the
     * validation and test scores (x100, JSON null where not run) of the table's row of that method
     * ({@code table_*}) and of full fine-tuning ({@code full_*}) on the same task and seed.
     */
    static List<JsonObject> rows(List<ExperimentResult> probes, List<ExperimentResult> tables, String backbone) {
        Map<String, ExperimentResult> byKey = new HashMap<>();
        for (ExperimentResult r : tables) byKey.put(key(r.configId(), r.task(), r.seed()), r);
        List<JsonObject> out = new ArrayList<>();
        for (ExperimentResult r : probes) {
            JsonObject o = ResultsCommand.rows(List.of(r), backbone).get(0);
            o.addProperty("probe", o.get("method").getAsString());
            o.addProperty("method", r.method());
            var cfg = r.json().getAsJsonObject("config");
            o.addProperty("description", cfg != null && cfg.has("description") ? cfg.get("description").getAsString() : "");
            beside(o, "table", byKey.get(key(backbone + "/" + r.method(), r.task(), r.seed())));
            beside(o, "full", byKey.get(key(backbone + "/full", r.task(), r.seed())));
            out.add(o);
        }
        out.sort(Comparator.comparing((JsonObject o) -> o.get("probe").getAsString()).thenComparing(o -> o.get("task").getAsString())
                .thenComparingInt(o -> o.get("seed").getAsInt()));
        return out;
    }

    private static String key(String configId, String task, int seed) { return configId + " " + task + " " + seed; }

    private static void beside(JsonObject o, String prefix, ExperimentResult r) {
        o.add(prefix + "_validation_score", r == null ? JsonNull.INSTANCE : new JsonPrimitive(100 * r.bestValidationScore()));
        o.add(prefix + "_test_score", r == null ? JsonNull.INSTANCE : new JsonPrimitive(100 * r.testScore()));
    }

    /** The md form: one line per probe result, then what each probe changed (its config's description). */
    static String markdown(List<JsonObject> rows, String backbone) {
        StringBuilder sb = new StringBuilder();
        sb.append("# probes on ").append(backbone).append(": validation / test scores x100 beside the table's row of the same method and full fine-tuning's (same task and seed)\n\n");
        sb.append("| probe (method) | task | seed | validation / test | best epoch | table's method: validation / test | Δ test vs table's | full: validation / test | Δ test vs full | machine time |\n|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, String> described = new LinkedHashMap<>();
        for (JsonObject o : rows) {
            String probe = o.get("probe").getAsString(), method = o.get("method").getAsString();
            double test = o.get("test_score").getAsDouble();
            sb.append("| ").append(probe).append(" (").append(method.equals("symtune") ? "symtune, reconstruction" : method).append(") | ")
                    .append(o.get("task").getAsString()).append(" | ").append(o.get("seed").getAsInt()).append(" | ")
                    .append(pair(o.get("validation_score").getAsDouble(), test)).append(" | ")
                    .append(o.get("best_epoch").getAsInt()).append(" of ").append(o.get("epochs").getAsInt()).append(" | ")
                    .append(pair(o, "table")).append(" | ").append(diff(test, o, "table")).append(" | ")
                    .append(pair(o, "full")).append(" | ").append(diff(test, o, "full")).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f min", o.get("train_seconds").getAsDouble() / 60)).append(" |\n");
            described.putIfAbsent(probe, o.get("description").getAsString());
        }
        double total = rows.stream().mapToDouble(o -> o.get("train_seconds").getAsDouble()).sum();
        sb.append(String.format(Locale.ROOT, "%nprobe runs: %d; machine time: %.1f h%n%n", rows.size(), total / 3600));
        described.forEach((p, d) -> sb.append(p).append(": ").append(d).append('\n'));
        return sb.toString();
    }

    private static String pair(double validation, double test) { return ResultsCommand.fmt(validation) + " / " + ResultsCommand.fmt(test); }

    private static String pair(JsonObject o, String prefix) {
        return o.get(prefix + "_test_score").isJsonNull() ? "not run" : pair(o.get(prefix + "_validation_score").getAsDouble(), o.get(prefix + "_test_score").getAsDouble());
    }

    private static String diff(double test, JsonObject o, String prefix) {
        return o.get(prefix + "_test_score").isJsonNull() ? "n/a" : String.format(Locale.ROOT, "%+.1f", test - o.get(prefix + "_test_score").getAsDouble());
    }
}
