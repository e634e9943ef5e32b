package dev.memtune.kernel.eval;

import java.util.List;

/**
 * A cell that failed: a compile error, an exception thrown by user code, or an interrupt. Carries
 * the three fields of Jupyter's {@code error} message.
 */
public final class CellException extends Exception {
    private final String ename;
    private final List<String> traceback;

    public CellException(String ename, String evalue, List<String> traceback) {
        super(evalue);
        this.ename = ename;
        this.traceback = List.copyOf(traceback);
    }

    /** Error name, e.g. {@code java.lang.ArithmeticException}, {@code CompilationError}, {@code Interrupted}. */
    public String ename() { return ename; }

    /** Error value (the message). */
    public String evalue() { return getMessage(); }

    /** Lines shown to the user, without newlines. */
    public List<String> traceback() { return traceback; }

    static CellException interrupted() {
        return new CellException("Interrupted", "cell interrupted", List.of("Interrupted: the cell was stopped"));
    }
}
