package dev.memtune.kernel.magic;

import dev.memtune.kernel.display.MimeBundle;
import dev.memtune.kernel.display.Output;
import dev.memtune.kernel.eval.CellException;
import dev.memtune.kernel.eval.Evaluator;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a magic may use of the session that runs it ({@code dev.memtune.kernel.Session} is the one
 * implementation): so the magics, one floor below the session, never name it.
 */
public interface MagicContext {
    Evaluator evaluator();

    Output output();

    /** The folder relative paths of {@code %jars}, {@code %load}, {@code %classpath} start from. */
    Path workdir();

    /** The Maven resolver of {@code %maven} and {@code %mavenRepo}. */
    MavenResolver maven();

    /** Adds jars or folders to the cell class path. */
    void addToClasspath(List<String> paths);

    /** Runs a cell (magics included) and returns its value. */
    Object run(String cell) throws CellException;

    /** A value as the notebook shows it. */
    MimeBundle render(Object value);

    /** Documentation of the expression at {@code cursor}. */
    Optional<String> inspect(String code, int cursor);

    /** Keeps {@code %%memory}'s last report for the session. */
    void setLastMemoryReport(MemoryReport r);
}
