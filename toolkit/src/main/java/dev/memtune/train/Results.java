package dev.memtune.train;

import dev.memtune.display.Format;
import tech.tablesaw.api.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Result JSON files as a Tablesaw table for the notebooks: one row per run with the columns
 * {@code table, config_id, backbone, method, task, scale, seed, best_epoch, validation, test,
 * trainable_params, trainable_share, trainable (the share as a percent with 3 significant digits), steps, wall_seconds, tokens_per_second, peak_rss_mb}.
 */
public final class Results {
    private Results() {}

    /** Every {@code seed*.json} below {@code dir} (e.g. {@code reproduce/out/results/glue}), sorted by path. */
    public static List<ExperimentResult> load(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.walk(dir)) {
            List<ExperimentResult> out = new ArrayList<>();
            for (Path p : s.filter(p -> p.getFileName().toString().matches("seed-?\\d+\\.json")).sorted().toList()) out.add(ExperimentResult.read(p));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list results in " + dir + ": " + e.getMessage(), e);
        }
    }

    public static Table table(List<ExperimentResult> results) {
        Table t = Table.create("results",
                StringColumn.create("table"), StringColumn.create("config_id"), StringColumn.create("backbone"),
                StringColumn.create("method"), StringColumn.create("task"), StringColumn.create("scale"), IntColumn.create("seed"),
                IntColumn.create("best_epoch"), DoubleColumn.create("validation"), DoubleColumn.create("test"),
                LongColumn.create("trainable_params"), DoubleColumn.create("trainable_share"), StringColumn.create("trainable"), LongColumn.create("steps"),
                DoubleColumn.create("wall_seconds"), DoubleColumn.create("tokens_per_second"), DoubleColumn.create("peak_rss_mb"));
        for (ExperimentResult r : results) {
            var j = r.json();
            t.stringColumn("table").append(r.table());
            t.stringColumn("config_id").append(r.configId());
            t.stringColumn("backbone").append(r.backbone());
            t.stringColumn("method").append(r.method());
            t.stringColumn("task").append(r.task());
            t.stringColumn("scale").append(j.get("scale").getAsString());
            t.intColumn("seed").append(r.seed());
            t.intColumn("best_epoch").append(j.get("best_epoch").getAsInt());
            t.doubleColumn("validation").append(r.bestValidationScore());
            t.doubleColumn("test").append(r.testScore());
            t.longColumn("trainable_params").append(r.trainableParams());
            t.doubleColumn("trainable_share").append(j.get("trainable_share").getAsDouble());
            t.stringColumn("trainable").append(Format.percent(j.get("trainable_share").getAsDouble()));
            t.longColumn("steps").append(j.get("steps").getAsLong());
            t.doubleColumn("wall_seconds").append(r.wallSeconds());
            t.doubleColumn("tokens_per_second").append(j.get("tokens_per_second").isJsonNull() ? Double.NaN : j.get("tokens_per_second").getAsDouble());
            t.doubleColumn("peak_rss_mb").append(r.peakRssBytes() / 1048576.0);
        }
        return t;
    }

    /** {@link #table(List)} of {@link #load(Path)}. */
    public static Table table(Path dir) { return table(load(dir)); }
}
