package dev.memtune.kernel.eval;

import com.sun.source.util.JavacTask;

import javax.tools.*;
import java.net.URI;
import java.util.List;

/**
 * Parse-only check of one snippet with javac's parser. JShell's {@code analyzeCompletion} only
 * finds where a snippet ends (it calls {@code int x = 1 +* 2;} complete); a snippet is valid Java
 * if it parses as a class member, a statement, an expression or an import.
 */
final class SyntaxCheck {
    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();

    private SyntaxCheck() {}

    static boolean parses(String snippet, boolean needsSemicolon) {
        String stmt = needsSemicolon ? snippet + ";" : snippet;
        return parse("class W_ { " + snippet + "\n}")
                || parse("class W_ { void m_() throws Throwable { " + stmt + "\n} }")
                || parse("class W_ { Object v_ = (" + snippet + "\n); }")
                || parse(stmt + "\nclass W_ { }");
    }

    private static boolean parse(String source) {
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///W_.java"), JavaFileObject.Kind.SOURCE) {
            @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
        };
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try {
            JavacTask task = (JavacTask) JAVAC.getTask(null, null, diags, List.of("-proc:none"), null, List.of(file));
            task.parse();
        } catch (Exception e) {
            return false;
        }
        return diags.getDiagnostics().stream().noneMatch(d -> d.getKind() == Diagnostic.Kind.ERROR);
    }
}
