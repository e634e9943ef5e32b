package dev.memtune.data;

import java.nio.file.Path;

/**
 * A data file that cannot be read as its task's official layout: the message names the file, the
 * 1-based line number (0 when the problem is not tied to one line) and what is wrong.
 */
public class DataException extends IllegalArgumentException {
    private final Path file;
    private final long line;

    public DataException(Path file, long line, String problem) {
        super(file + (line > 0 ? " line " + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    protected DataException(String message, Path file) {
        super(message);
        this.file = file;
        this.line = 0;
    }

    public Path file() { return file; }

    public long line() { return line; }
}
