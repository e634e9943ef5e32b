package dev.memtune.data;

import java.nio.file.Path;

/**
 * A task's file is not where the toolkit looked for it. The message names the path, the data
 * folder setting in force and how to get the file.
 */
public final class MissingDataException extends DataException {
    public MissingDataException(String task, String split, Path file, String hint) {
        super("task " + task + ": the " + split + " split is missing: no file " + file.toAbsolutePath()
                + " (data folder " + Tasks.dataDirDescription() + "). " + hint, file);
    }
}
