package dev.memtune.kernel.eval;

import jdk.jshell.*;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.*;

/**
 * Java snippets evaluated by JShell in this JVM, so values are live objects. One instance per
 * notebook session; not thread-safe except {@link #interrupt()}, which may be called from any
 * thread while {@link #eval} runs.
 */
public final class Evaluator implements AutoCloseable {
    /** Returned by {@link #eval} when the last snippet was not an expression (a declaration, a statement). */
    public static final Object NO_VALUE = new Object() {
        @Override public String toString() { return "<no value>"; }
    };

    /** Packages the startup script imports (a package missing from the class path is skipped). */
    public static final List<String> DEFAULT_IMPORTS = List.of(
            "java.util", "java.util.stream", "java.nio.file",
            "dev.memtune.backbone", "dev.memtune.backbones", "dev.memtune.method", "dev.memtune.methods",
            "dev.memtune.data", "dev.memtune.train", "dev.memtune.step", "dev.memtune.profile", "dev.memtune.metrics",
            "dev.memtune.scoring", "dev.memtune.papers", "dev.memtune.tables", "dev.memtune.display", "dev.memtune.report",
            "dev.memtune.progress", "dev.memtune.sys", "dev.memtune.hub", "dev.memtune.teach", "tech.tablesaw.api", "org.knowm.xchart", "dev.memtune.kernel.api");

    private final InProcessControl control = new InProcessControl();
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final List<String> imported = new ArrayList<>();

    private Evaluator(List<String> classpath, List<String> imports) {
        ExecutionControlProvider provider = new ExecutionControlProvider() {
            @Override public String name() { return "memtune-in-process"; }
            @Override public ExecutionControl generate(ExecutionEnv env, Map<String, String> params) { return control; }
        };
        shell = JShell.builder().executionEngine(provider, Map.of()).compilerOptions("-Xlint:none").build();
        analysis = shell.sourceCodeAnalysis();
        if (!classpath.isEmpty()) shell.addToClasspath(String.join(File.pathSeparator, classpath));
        for (String pkg : imports) {
            if (!packageExists(pkg)) continue;
            List<SnippetEvent> ev = shell.eval("import " + pkg + ".*;");
            if (!ev.isEmpty() && ev.get(0).status() == Snippet.Status.VALID) imported.add(pkg);
        }
    }

    /** An evaluator on the JVM's own class path with {@link #DEFAULT_IMPORTS}. */
    public static Evaluator create() { return new Evaluator(Classpath.current(), DEFAULT_IMPORTS); }

    /** An evaluator with an explicit class path and import list (tests). */
    public static Evaluator create(List<String> classpath, List<String> imports) { return new Evaluator(classpath, imports); }

    /** Packages that the startup script actually imported. */
    public List<String> importedPackages() { return List.copyOf(imported); }

    private static boolean packageExists(String pkg) {
        if (pkg.startsWith("java.") || pkg.startsWith("javax.")) return true;   // JDK modules hide their directories
        String dir = pkg.replace('.', '/') + "/";
        return ClassLoader.getSystemResource(dir) != null || Thread.currentThread().getContextClassLoader().getResource(dir) != null;
    }

    /**
     * Evaluates a cell of Java source (any number of snippets).
     *
     * @return the value of the last snippet if it was an expression, else {@link #NO_VALUE}
     * @throws CellException on a compile error, an exception thrown by the code, or an interrupt
     */
    public Object eval(String code) throws CellException {
        control.beginCell();
        try {
            return evalSnippets(code);
        } finally {
            control.endCell();
        }
    }

    private Object evalSnippets(String code) throws CellException {
        Object last = NO_VALUE;
        String rest = code;
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == Completeness.EMPTY) return last;
            if (!info.completeness().isComplete()) {
                // incomplete or unparseable: let the compiler say why
                evalSnippet(rest);
                throw new CellException("CompilationError", "incomplete input", List.of("incomplete input:", rest.strip()));
            }
            last = evalSnippet(info.source());
            rest = info.remaining();
        }
    }

    private Object evalSnippet(String source) throws CellException {
        control.takeLastThrown();
        List<SnippetEvent> events = shell.eval(source);
        Object value = NO_VALUE;
        CellException error = null;
        for (SnippetEvent ev : events) {
            if (ev.causeSnippet() != null) continue;          // dependents updated by this snippet
            Snippet sn = ev.snippet();
            String key = ev.value();
            if (key != null && control.hasResult(key)) {
                Object v = control.takeResult(key);
                switch (sn.subKind()) {
                    case VAR_VALUE_SUBKIND, OTHER_EXPRESSION_SUBKIND, TEMP_VAR_EXPRESSION_SUBKIND -> value = v;
                    default -> { }
                }
            }
            if (ev.exception() != null) error = runtimeError(ev.exception(), control.takeLastThrown());
            else if (ev.status() == Snippet.Status.REJECTED) error = compileError(sn);
            else if (ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED && sn instanceof DeclarationSnippet ds) {
                // JShell would accept it for later; in a notebook an unknown name is almost always a typo
                List<String> unresolved = shell.unresolvedDependencies(ds).toList();
                error = new CellException("CompilationError", "cannot find symbol: " + String.join(", ", unresolved),
                        List.of("error: " + ds.name() + " refers to undeclared " + String.join(", ", unresolved)));
            }
        }
        control.clearResults();
        if (control.takeStopped()) throw CellException.interrupted();
        if (error != null) throw error;
        return value;
    }

    private CellException compileError(Snippet sn) {
        List<String> lines = new ArrayList<>();
        String src = sn.source();
        String first = null;
        for (Diag d : shell.diagnostics(sn).toList()) {
            String msg = d.getMessage(Locale.ROOT);
            if (first == null) first = msg;
            lines.add((d.isError() ? "error: " : "warning: ") + msg);
            if (d.getPosition() >= 0 && d.getPosition() <= src.length()) {
                int s = src.lastIndexOf('\n', (int) Math.max(0, d.getPosition() - 1)) + 1;
                if (d.getPosition() == 0) s = 0;
                int e = src.indexOf('\n', (int) d.getPosition());
                String line = src.substring(s, e < 0 ? src.length() : e);
                lines.add(line);
                lines.add(" ".repeat((int) Math.max(0, d.getPosition() - s)) + "^");
            }
        }
        if (first == null) first = "rejected: " + src.strip();
        return new CellException("CompilationError", first, lines);
    }

    private CellException runtimeError(JShellException ex, Throwable live) {
        if (ex instanceof UnresolvedReferenceException ure) {
            String name = ure.getSnippet().toString();
            List<String> deps = shell.unresolvedDependencies(ure.getSnippet()).toList();
            String msg = "attempted to use " + name + " which cannot be invoked until " + deps + " is declared";
            return new CellException("UnresolvedReference", msg, List.of(msg));
        }
        String ename = ex instanceof EvalException ee ? ee.getExceptionClassName() : ex.getClass().getName();
        String evalue = String.valueOf(ex.getMessage());
        StringWriter sw = new StringWriter();
        if (live != null) live.printStackTrace(new PrintWriter(sw));
        else {
            sw.append(ename).append(": ").append(evalue).append('\n');
            for (StackTraceElement f : ex.getStackTrace()) sw.append("\tat ").append(f.toString()).append('\n');
        }
        return new CellException(ename, evalue, userFrames(sw.toString()));
    }

    /** Stack trace lines without the kernel's own frames (reflection, the cell thread) and capped in length. */
    static List<String> userFrames(String trace) {
        List<String> out = new ArrayList<>();
        int kept = 0;
        boolean skipping = false;
        for (String line : trace.split("\n")) {
            String t = line.strip();
            if (t.startsWith("at ")) {
                if (t.contains("jdk.internal.reflect.") || t.contains("java.lang.reflect.Method.invoke")
                        || t.contains("dev.memtune.kernel.eval.") || t.contains("java.util.concurrent.")
                        || t.startsWith("at java.base/java.lang.Thread.run")) { skipping = true; continue; }
                if (skipping || ++kept > 40) continue;
                out.add(line.replace("REPL.$JShell$", "cell#"));
            } else {
                skipping = false;
                kept = 0;
                if (t.startsWith("...")) continue;
                out.add(line);
            }
        }
        return out;
    }

    /** Completion candidates at {@code cursor}: the replacements and the range they replace. */
    public record Completion(List<String> matches, int start, int end) {}

    public Completion complete(String code, int cursor) {
        int base = snippetStart(code, cursor);
        int[] anchor = {-1};
        List<SourceCodeAnalysis.Suggestion> s = analysis.completionSuggestions(code.substring(base, cursor), cursor - base, anchor);
        LinkedHashSet<String> matches = new LinkedHashSet<>();
        boolean typed = s.stream().anyMatch(SourceCodeAnalysis.Suggestion::matchesType);
        for (SourceCodeAnalysis.Suggestion x : s) if (!typed || x.matchesType()) matches.add(x.continuation());
        int start = anchor[0] < 0 ? cursor : base + anchor[0];
        return new Completion(new ArrayList<>(matches), start, cursor);
    }

    /** Signature and javadoc of what is at {@code cursor}, or empty. */
    public Optional<String> inspect(String code, int cursor) {
        int base = snippetStart(code, cursor);
        String src = code.substring(base, cursor);
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(src, src.length(), true);
        if (docs.isEmpty() && !src.endsWith("(")) docs = analysis.documentation(src + "(", src.length() + 1, true);
        if (docs.isEmpty()) return Optional.empty();
        StringBuilder sb = new StringBuilder();
        for (SourceCodeAnalysis.Documentation d : docs) {
            sb.append(d.signature()).append('\n');
            if (d.javadoc() != null && !d.javadoc().isBlank()) sb.append(d.javadoc().strip()).append("\n\n");
        }
        return Optional.of(sb.toString().strip());
    }

    /** Jupyter's is_complete status for a cell: {@code complete}, {@code incomplete} or {@code invalid}. */
    public String isComplete(String code) {
        String rest = code;
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY: return "complete";
                case COMPLETE: case COMPLETE_WITH_SEMI:
                    if (!SyntaxCheck.parses(info.source(), info.completeness() == Completeness.COMPLETE_WITH_SEMI)) return "invalid";
                    rest = info.remaining();
                    if (rest.isBlank()) return "complete";
                    continue;
                case DEFINITELY_INCOMPLETE: case CONSIDERED_INCOMPLETE: return "incomplete";
                default: return "invalid";
            }
        }
    }

    /** Start offset of the snippet that contains {@code cursor} (cells hold several snippets). */
    private int snippetStart(String code, int cursor) {
        int start = 0;
        while (start < cursor) {
            CompletionInfo info = analysis.analyzeCompletion(code.substring(start));
            if (!info.completeness().isComplete()) break;
            int consumed = code.length() - start - info.remaining().length();
            if (consumed <= 0 || start + consumed >= cursor) break;
            start += consumed;
        }
        while (start < cursor && Character.isWhitespace(code.charAt(start))) start++;
        return start;
    }

    /** Adds jars or class directories to both the compiler's and the loader's class path. */
    public void addToClasspath(List<String> paths) {
        if (!paths.isEmpty()) shell.addToClasspath(String.join(File.pathSeparator, paths));
    }

    /** The class loader of cell code: the JVM's class path plus every jar added with {@link #addToClasspath}. */
    public ClassLoader classLoader() { return control.classLoader(); }

    /** Stops the running cell (interrupt, then force after a grace period); no-op when idle. */
    public void interrupt() { control.stop(); }

    /** True while a snippet's code runs. */
    public boolean isRunning() { return control.isRunning(); }

    /** Thread id of the cell thread (-1 before the first cell ran). */
    public long cellThreadId() { return control.cellThreadId(); }

    /** Declared variables and their current values as text ({@code name: type}), for inspection. */
    public Map<String, String> variables() {
        Map<String, String> out = new LinkedHashMap<>();
        shell.variables().forEach(v -> out.put(v.name(), v.typeName()));
        return out;
    }

    @Override
    public void close() { shell.close(); }
}
