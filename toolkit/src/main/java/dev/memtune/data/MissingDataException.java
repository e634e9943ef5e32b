package dev.memtune.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Files of a task are not where the toolkit looked for them. The message names every missing path,
 * the data folder (and which setting chose it) and how to get the files.
 */
public final class MissingDataException extends DataException {
    private final List<Path> missing;

    public MissingDataException(String task, List<String> splits, List<Path> missing, Path dataDir, String hint) {
        super("task " + task + ": " + (splits.size() == 1 ? "the " + splits.get(0) + " split is" : "splits " + splits + " are")
                + " missing: no file " + String.join(", ", missing.stream().map(p -> p.toAbsolutePath().toString()).toList())
                + " (data folder " + describe(dataDir) + "). " + hint, missing.get(0));
        this.missing = List.copyOf(missing);
    }

    /** Every absent file. */
    public List<Path> missing() { return missing; }

    private static String describe(Path dir) {
        return dir.toAbsolutePath().normalize().equals(Tasks.dataDir().toAbsolutePath().normalize())
                ? Tasks.dataDirDescription() : dir.toAbsolutePath().toString();
    }
}
