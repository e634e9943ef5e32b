package dev.memtune.sweep;

import dev.memtune.train.ExperimentResult;
import dev.memtune.train.RunExecutor;

import java.nio.file.Path;
import java.util.*;
import java.util.regex.Pattern;

/**
 * The notebooks' training grids on Spark: {@link RunExecutor} for {@code local[N]}, {@code local} and
 * {@code spark://HOST:PORT} masters. A table's runs become one {@link Grid} run by {@link Sweep} (each
 * run a child JVM on an executor, retried on failure, results written under the shared output folder),
 * so {@code AccuracyTables.run} and {@code reproduce/run --master URL} need no other code path.
 * Registered as a {@link RunExecutor.Provider} in {@code META-INF/services}.
 */
public final class SparkRunExecutor implements RunExecutor, RunExecutor.Provider {
    private static final Pattern MASTER = Pattern.compile("local(\\[(\\*|\\d+)(,\\d+)?])?|spark://.+|yarn|k8s://.+");
    private final String master;
    private final Sweep.Builder options;

    /** The provider ServiceLoader instantiates. */
    public SparkRunExecutor() { this(null, Sweep.builder()); }

    /** Runs on {@code master} with these sweep options (root, child JVM, retries); the output folder is the caller's. */
    SparkRunExecutor(String master, Sweep.Builder options) {
        this.master = master;
        this.options = options;
    }

    @Override public RunExecutor forMaster(String m) {
        return m != null && MASTER.matcher(m).matches() ? new SparkRunExecutor(m, Sweep.builder()) : null;
    }

    @Override public String describe() { return "spark " + master; }

    @Override
    public List<Outcome> execute(List<Run> runs, Path out) {
        if (runs.isEmpty()) return List.of();
        Sweep sweep = options.optMaster(master).optOut(out).build();
        Path configs = sweep.configsDir();
        List<Cell> cells = new ArrayList<>();
        for (Run r : runs) {
            Path c = r.config().toAbsolutePath().normalize();
            if (!c.startsWith(configs))
                throw new IllegalArgumentException(c + ": a sweep runs configs under " + configs + " only (the workers read them from their own copy of the project)");
            cells.add(new Cell(cells.size(), configs.relativize(c).toString(), r.task(), r.seed(), r.scale(), new LinkedHashMap<>(), null));
        }
        String scale = runs.get(0).scale();
        Path first = Path.of(cells.get(0).config()).getParent();            // glue/minilm-l6 -> the report sweep/glue-minilm-l6.json
        String name = (first == null ? "table" : first.toString().replace('/', '-')) + ".json";
        SweepReport report = sweep.run(Grid.of(Path.of(name), scale, cells));
        Map<String, SweepReport.Row> byKey = new HashMap<>();
        for (SweepReport.Row row : report.rows()) byKey.put(row.cell().key(), row);
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            SweepReport.Row row = byKey.get(cells.get(i).key());
            Run r = runs.get(i);
            if (row != null && row.source() != null && !row.status().equals("failed"))
                outcomes.add(Outcome.ok(r, ExperimentResult.read(Path.of(row.source()))));
            else
                outcomes.add(Outcome.failed(r, "failed on " + master + (row == null ? "" : " after " + row.attempts() + " attempts: " + row.error()), false));
        }
        return outcomes;
    }
}
