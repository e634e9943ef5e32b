package dev.memtune.kernel.eval;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The JShell evaluator: live values, errors, completion, inspection, is_complete. */
class EvaluatorTest {
    static Evaluator ev;

    @BeforeAll static void start() { ev = Evaluator.create(); }
    @AfterAll static void stop() { ev.close(); }

    @Test void expressionValueIsTheLiveObject() throws Exception {
        assertEquals(42, ev.eval("6 * 7"));
        Object list = ev.eval("new java.util.ArrayList<>(List.of(1, 2, 3))");
        assertInstanceOf(java.util.ArrayList.class, list);     // the object itself, not its string
        assertEquals(List.of(1, 2, 3), list);
    }

    @Test void declarationsHaveNoValueAndPersistAcrossCells() throws Exception {
        assertSame(Evaluator.NO_VALUE, ev.eval("int base = 40;"));
        assertSame(Evaluator.NO_VALUE, ev.eval("int plus(int a) { return base + a; }"));
        assertEquals(42, ev.eval("plus(2)"));
    }

    @Test void severalSnippetsInOneCellReturnTheLastValue() throws Exception {
        assertEquals("abc", ev.eval("String s1 = \"ab\";\nString s2 = s1 + \"c\";\ns2"));
    }

    @Test void voidCallsAndStatementsHaveNoValue() throws Exception {
        assertSame(Evaluator.NO_VALUE, ev.eval("System.out.print(\"\")"));
        assertSame(Evaluator.NO_VALUE, ev.eval("for (int i = 0; i < 2; i++) { }"));
        assertSame(Evaluator.NO_VALUE, ev.eval("// only a comment"));
        assertSame(Evaluator.NO_VALUE, ev.eval("import java.time.*;"));
    }

    @Test void nullValueIsNullNotNoValue() throws Exception {
        assertNull(ev.eval("(String) null"));
    }

    @Test void runtimeExceptionKeepsItsClassAndMessage() {
        CellException e = assertThrows(CellException.class, () -> ev.eval("Integer.parseInt(\"x1\")"));
        assertEquals("java.lang.NumberFormatException", e.ename());
        assertEquals("For input string: \"x1\"", e.evalue());      // the JDK's own message
        assertTrue(e.traceback().get(0).startsWith("java.lang.NumberFormatException"), e.traceback().toString());
        assertTrue(e.traceback().stream().noneMatch(l -> l.contains("jdk.internal.reflect")), "kernel frames are hidden");
    }

    @Test void compileErrorNamesTheProblem() {
        CellException e = assertThrows(CellException.class, () -> ev.eval("int q = \"text\";"));
        assertEquals("CompilationError", e.ename());
        assertTrue(e.evalue().contains("incompatible types"), e.evalue());
        assertTrue(e.traceback().contains("int q = \"text\";"), "shows the offending line: " + e.traceback());
    }

    @Test void undefinedNameIsAnError() {
        CellException e = assertThrows(CellException.class, () -> ev.eval("var z = undefinedThing + 1;"));
        assertTrue(e.evalue().contains("undefinedThing") || e.evalue().contains("cannot find symbol"), e.evalue());
    }

    @Test void toolkitAndTableImportsArePreloaded() throws Exception {
        assertTrue(ev.importedPackages().containsAll(List.of("tech.tablesaw.api", "org.knowm.xchart", "dev.memtune.progress")), ev.importedPackages().toString());
        assertEquals("t", ev.eval("Table.create(\"t\").name()"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Math.ab|abs(",
            "Integer.parseI|parseInt(",
            "\"memtune\".toUpperC|toUpperCase(",
            "int aa = 1;\\nMath.ab|abs("})
    void completion(String code, String expected) {
        code = code.replace("\\n", "\n");
        Evaluator.Completion c = ev.complete(code, code.length());
        assertTrue(c.matches().contains(expected), c.matches().toString());
        assertEquals(code.length(), c.end());
        String replaced = code.substring(0, c.start()) + expected;
        assertTrue(replaced.endsWith(expected) && replaced.startsWith(code.substring(0, c.start())));
        assertEquals(code.substring(c.start()), expected.substring(0, code.length() - c.start()), "range covers the typed prefix");
    }

    @Test void inspectShowsTheSignature() {
        String doc = ev.inspect("Math.abs", 8).orElseThrow();
        assertTrue(doc.contains("abs(int"), doc);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "int x = 1;|complete", "6 * 7|complete", "for (int i = 0; i < 3; i++) {|incomplete",
            "int y = |incomplete", "int x = 1 +* 2;|invalid", "}|invalid"})
    void isComplete(String code, String status) {
        assertEquals(status, ev.isComplete(code));
    }
}
