package dev.memtune.train;

import dev.memtune.data.MissingDataException;

import java.nio.file.Path;
import java.util.*;

/**
 * Where a table's training runs execute. By default in this JVM, one after the other
 * ({@link #inProcess()}). With a master set ({@code -Dmemtune.master=URL} or {@code MEMTUNE_MASTER}),
 * a {@link Provider} found on the class path (a module above the toolkit, e.g. the Spark sweep)
 * receives the whole list at once, so a cluster runs the runs side by side; results land in the same
 * files either way ({@link Experiments#resultFile}), so a table renders alike from both.
 *
 * <pre>
 *   List&lt;Outcome&gt; o = RunExecutor.current().execute(List.of(new Run(cfg, "rte", 42, "cpu")), Experiments.defaultOut());
 * </pre>
 */
public interface RunExecutor {
    /** System property naming the master; the environment variable {@code MEMTUNE_MASTER} is the fallback. */
    String MASTER = "memtune.master";

    /** One training run: a config file, a task, a seed, a scale. */
    record Run(Path config, String task, int seed, String scale) {
        public String label() { return config.getFileName() + " " + task + " seed" + seed; }
    }

    /** What became of a run: its result, or the reason it has none ({@code missingData} when its task data is not staged). */
    record Outcome(Run run, ExperimentResult result, String error, boolean missingData) {
        public static Outcome ok(Run r, ExperimentResult res) { return new Outcome(r, res, null, false); }
        public static Outcome failed(Run r, String why, boolean missingData) { return new Outcome(r, null, why, missingData); }
    }

    /** Runs (or reuses) every run; one outcome per run, in order. Never throws for a single run's failure. */
    List<Outcome> execute(List<Run> runs, Path out);

    /** Where runs go, for progress messages and reports ({@code this JVM}, {@code spark local[1]}, ...). */
    String describe();

    /** A way to run on a master; found with {@link ServiceLoader}. */
    interface Provider {
        /** An executor for {@code master}, or null when this provider does not handle it. */
        RunExecutor forMaster(String master);
    }

    /** The executor the current master asks for: in this JVM when none is set. */
    static RunExecutor current() {
        String m = System.getProperty(MASTER);
        if (m == null || m.isBlank()) m = System.getenv("MEMTUNE_MASTER");
        return forMaster(m);
    }

    /** The executor for {@code master} (null or blank: this JVM). */
    static RunExecutor forMaster(String master) {
        if (master == null || master.isBlank()) return inProcess();
        for (Provider p : ServiceLoader.load(Provider.class, Thread.currentThread().getContextClassLoader())) {
            RunExecutor e = p.forMaster(master);
            if (e != null) return e;
        }
        throw new IllegalArgumentException(MASTER + "=" + master + ": no module on the class path runs on this master (the Spark sweep "
                + "module, sweep/, handles local[N] and spark://HOST:PORT: build it with 'mvn -DskipTests package' and start through reproduce/memtune)");
    }

    /** Runs one after the other in this JVM ({@link Experiments#run}, resuming from checkpoints). */
    static RunExecutor inProcess() {
        return new RunExecutor() {
            @Override public List<Outcome> execute(List<Run> runs, Path out) {
                List<Outcome> o = new ArrayList<>();
                for (Run r : runs) {
                    try {
                        o.add(Outcome.ok(r, Experiments.run(r.config(), r.task(), r.seed(), r.scale(),
                                Experiments.RunOptions.defaults().withOut(out))));
                    } catch (MissingDataException e) {
                        o.add(Outcome.failed(r, e.getMessage(), true));
                    }
                }
                return o;
            }

            @Override public String describe() { return "this JVM"; }
        };
    }
}
