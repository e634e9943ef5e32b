package dev.memtune.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Reads one official split of a task from its file(s), in file order. */
@FunctionalInterface
public interface SplitReader {
    /**
     * @param files the split's files, in the order the task declares them (e.g. PIQA: questions,
     *              then labels)
     * @param split the split name, used for ids of rows without one ({@code <split>-<row>})
     */
    List<Example> read(List<Path> files, String split) throws IOException;
}
