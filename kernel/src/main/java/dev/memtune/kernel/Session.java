package dev.memtune.kernel;

import dev.memtune.kernel.api.Display;
import dev.memtune.kernel.display.Renderer;
import dev.memtune.kernel.display.MimeBundle;
import dev.memtune.kernel.display.Output;
import dev.memtune.kernel.display.ProgressDisplay;
import dev.memtune.kernel.display.Renderers;
import dev.memtune.kernel.eval.CellException;
import dev.memtune.kernel.eval.Evaluator;
import dev.memtune.kernel.magic.MagicContext;
import dev.memtune.kernel.magic.Magics;
import dev.memtune.kernel.magic.MavenResolver;
import dev.memtune.kernel.magic.MemoryReport;
import dev.memtune.progress.Progress;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One notebook's state: the JShell {@link Evaluator}, the magics, and where rich output goes. The
 * Jupyter kernel and the headless notebook runner both execute cells through {@link #execute}, so
 * a notebook behaves the same in either.
 */
public final class Session implements MagicContext, AutoCloseable {
    private final Evaluator evaluator;
    private final Output output;
    private final Path workdir;
    private volatile MemoryReport lastMemoryReport;
    private final MavenResolver maven = new MavenResolver();
    private volatile List<Renderer> renderers;      // registered renderers; null until first needed and after the class path grows

    public Session(Evaluator evaluator, Output output, Path workdir) {
        this.evaluator = evaluator;
        this.output = output;
        this.workdir = workdir.toAbsolutePath();
    }

    /** A session on the JVM's class path with the default toolkit imports. */
    public static Session create(Output output, Path workdir) { return new Session(Evaluator.create(), output, workdir); }

    public Evaluator evaluator() { return evaluator; }
    public Output output() { return output; }
    /** Directory that relative paths in magics resolve against (the notebook's directory). */
    public Path workdir() { return workdir; }
    /** The report of the last {@code %%memory} cell, or null. */
    public MemoryReport lastMemoryReport() { return lastMemoryReport; }
    public void setLastMemoryReport(MemoryReport r) { lastMemoryReport = r; }
    /** The session's Maven resolver ({@code %maven}, {@code %mavenRepo}). */
    public MavenResolver maven() { return maven; }

    /** Adds jars or class directories to the class path of cell code; their registered renderers take effect. */
    public void addToClasspath(List<String> paths) {
        evaluator.addToClasspath(paths);
        renderers = null;
    }

    /**
     * Executes one cell, showing toolkit progress events as a live progress bar meanwhile.
     *
     * @return the cell's value, or {@link Evaluator#NO_VALUE}
     */
    public Object execute(String cell) throws CellException {
        ProgressDisplay bar = new ProgressDisplay(output);
        Progress.addListener(bar);
        Display.attach(output, this::render);
        try {
            return run(cell);
        } finally {
            Display.attach(null, null);
            Progress.removeListener(bar);
            System.out.flush();
            System.err.flush();
        }
    }

    /** Executes source that may contain magics (used by {@code %load} and cell magics). */
    public Object run(String cell) throws CellException {
        String trimmed = cell.stripLeading();
        if (trimmed.startsWith("%%")) {
            int nl = trimmed.indexOf('\n');
            String head = (nl < 0 ? trimmed : trimmed.substring(0, nl)).substring(2).strip();
            String body = nl < 0 ? "" : trimmed.substring(nl + 1);
            String name = head.split("\\s+", 2)[0];
            Magics.Cell m = Magics.CELL.get(name);
            if (m == null) throw unknownMagic("%%" + name);
            try {
                return m.run(this, head.substring(name.length()), body);
            } catch (CellException e) {
                throw e;
            } catch (Exception e) {
                throw magicError("%%" + name, e);
            }
        }
        Object last = Evaluator.NO_VALUE;
        StringBuilder chunk = new StringBuilder();
        for (String line : cell.split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("%") && !t.startsWith("%%") && t.length() > 1 && Character.isLetter(t.charAt(1))) {
                if (!chunk.toString().isBlank()) last = evaluator.eval(chunk.toString());
                chunk.setLength(0);
                String name = t.substring(1).split("\\s+", 2)[0];
                Magics.Line m = Magics.LINE.get(name);
                if (m == null) throw unknownMagic("%" + name);
                try {
                    m.run(this, t.substring(1 + name.length()));
                } catch (CellException e) {
                    throw e;
                } catch (Exception e) {
                    throw magicError("%" + name, e);
                }
                last = Evaluator.NO_VALUE;
            } else chunk.append(line).append('\n');
        }
        if (!chunk.toString().isBlank()) last = evaluator.eval(chunk.toString());
        return last;
    }

    private static CellException unknownMagic(String name) {
        String msg = "unknown magic " + name + "; line magics: %" + String.join(", %", Magics.LINE.keySet())
                + "; cell magics: %%" + String.join(", %%", Magics.CELL.keySet());
        return new CellException("UnknownMagic", msg, List.of(msg));
    }

    private static CellException magicError(String name, Exception e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        List<String> tb = new ArrayList<>(List.of(name + ": " + msg));
        if (!(e instanceof IllegalArgumentException)) {
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            tb.addAll(List.of(sw.toString().split("\n")));
        }
        return new CellException("MagicError", msg, tb);
    }

    /** The MIME bundle a cell value is shown as: registered {@link Renderer}s first, then the built-in ones. */
    public MimeBundle render(Object value) {
        List<Renderer> r = renderers;
        if (r == null) renderers = r = Renderers.extensions(evaluator.classLoader());
        return Renderers.render(value, r);
    }

    /**
     * Completion: magic names at the start of a line ({@code %ma} gives {@code %maven},
     * {@code %mavenRepo}; on a cell's first line {@code %m} also gives the cell magic
     * {@code %%memory}), else JShell's.
     */
    public Evaluator.Completion complete(String code, int cursor) {
        int ls = code.lastIndexOf('\n', Math.max(0, cursor - 1)) + 1;
        String line = code.substring(ls, cursor);
        String word = line.stripLeading();
        if (word.matches("%%?[A-Za-z]*")) {
            int start = cursor - word.length();
            boolean firstLine = code.substring(0, start).isBlank();
            boolean cellMagic = word.startsWith("%%");
            String prefix = word.substring(cellMagic ? 2 : 1);
            List<String> names = new ArrayList<>();
            if (!cellMagic) for (String n : Magics.LINE.keySet()) if (n.startsWith(prefix)) names.add("%" + n);
            if (firstLine) for (String n : Magics.CELL.keySet()) if (n.startsWith(prefix)) names.add("%%" + n);
            return new Evaluator.Completion(names, start, cursor);
        }
        return evaluator.complete(code, cursor);
    }

    public Optional<String> inspect(String code, int cursor) { return evaluator.inspect(code, cursor); }

    /** {@code complete}, {@code incomplete} or {@code invalid}; magic lines count as complete. */
    public String isComplete(String code) {
        if (code.stripLeading().startsWith("%%")) return "complete";
        StringBuilder java = new StringBuilder();
        for (String line : code.split("\n", -1)) if (!line.strip().startsWith("%")) java.append(line).append('\n');
        return evaluator.isComplete(java.toString());
    }

    /** Stops the running cell; safe to call from any thread. */
    public void interrupt() { evaluator.interrupt(); }

    @Override
    public void close() { evaluator.close(); }
}
