package dev.memtune.kernel.runner;

import com.google.gson.*;
import dev.memtune.cli.Args;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class NotebookRunnerTest {
    @TempDir Path dir;

    static JsonObject code(String src, String... tags) {
        JsonObject c = new JsonObject();
        c.addProperty("cell_type", "code");
        c.add("execution_count", JsonNull.INSTANCE);
        JsonObject md = new JsonObject();
        if (tags.length > 0) { JsonArray t = new JsonArray(); for (String x : tags) t.add(x); md.add("tags", t); }
        c.add("metadata", md);
        c.add("outputs", new JsonArray());
        JsonArray lines = new JsonArray();                       // nbformat's list-of-lines form
        for (String l : src.split("(?<=\n)")) lines.add(l);
        c.add("source", lines);
        return c;
    }

    static Path notebook(Path dir, String name, JsonObject... cells) throws Exception {
        JsonObject nb = new JsonObject();
        nb.addProperty("nbformat", 4);
        nb.addProperty("nbformat_minor", 5);
        nb.add("metadata", new JsonObject());
        JsonArray a = new JsonArray();
        int i = 0;
        for (JsonObject c : cells) { c.addProperty("id", "c" + i++); a.add(c); }
        JsonObject md = new JsonObject();
        md.addProperty("cell_type", "markdown");
        md.add("metadata", new JsonObject());
        md.addProperty("source", "# title");
        md.addProperty("id", "md");
        a.add(md);
        nb.add("cells", a);
        Path p = dir.resolve(name);
        Files.writeString(p, nb.toString());
        return p;
    }

    static JsonArray cells(Path p) throws Exception { return JsonParser.parseString(Files.readString(p)).getAsJsonObject().getAsJsonArray("cells"); }

    static String text(JsonObject cell) {
        StringBuilder sb = new StringBuilder();
        for (JsonElement o : cell.getAsJsonArray("outputs")) {
            JsonObject out = o.getAsJsonObject();
            if (out.has("text")) sb.append(out.get("text").getAsString());
            if (out.has("data")) sb.append(out.getAsJsonObject("data").get("text/plain").getAsString());
        }
        return sb.toString();
    }

    /** The nbformat 4 output schema's required keys and allowed output types. */
    static void assertNbformat4(Path p) throws Exception {
        JsonObject nb = JsonParser.parseString(Files.readString(p)).getAsJsonObject();
        assertEquals(4, nb.get("nbformat").getAsInt());
        assertEquals("memtune", nb.getAsJsonObject("metadata").getAsJsonObject("kernelspec").get("name").getAsString());
        Map<String, Set<String>> keys = Map.of(
                "stream", Set.of("output_type", "name", "text"),
                "execute_result", Set.of("output_type", "execution_count", "data", "metadata"),
                "display_data", Set.of("output_type", "data", "metadata"),
                "error", Set.of("output_type", "ename", "evalue", "traceback"));
        for (JsonElement ce : nb.getAsJsonArray("cells")) {
            JsonObject c = ce.getAsJsonObject();
            assertTrue(c.has("source") && c.has("metadata") && c.has("cell_type"));
            if (!c.get("cell_type").getAsString().equals("code")) continue;
            assertTrue(c.has("outputs") && c.has("execution_count"));
            for (JsonElement oe : c.getAsJsonArray("outputs")) {
                JsonObject o = oe.getAsJsonObject();
                String type = o.get("output_type").getAsString();
                assertEquals(keys.get(type), o.keySet(), "keys of a " + type + " output");
            }
        }
    }

    @Test void runsWithParametersAndWritesOutputs() throws Exception {
        Path in = notebook(dir, "p.ipynb",
                code("int n = 2;\nString who = \"nobody\";\ndouble lr = 0.1;", "parameters"),
                code("System.out.println(\"hello \" + who);\nn * 10"),
                code("lr * 2"),
                code("Table.create(\"t\", IntColumn.create(\"x\", 1, 2))"));
        Path out = dir.resolve("out/p.ipynb");
        NotebookRunner.Result r = NotebookRunner.run(in, out, new LinkedHashMap<>(Map.of("n", "5", "who", "world", "lr", "1")));
        assertTrue(r.ok(), r.summary());
        JsonArray cells = cells(out);
        JsonObject injected = cells.get(1).getAsJsonObject();
        assertTrue(NotebookRunner.hasTag(injected, "injected-parameters"));
        String src = NotebookRunner.source(injected);
        assertTrue(src.contains("int n = 5;") && src.contains("String who = \"world\";") && src.contains("double lr = 1.0;"), src);
        assertEquals("hello world\n50", text(cells.get(2).getAsJsonObject()));
        assertEquals("2.0", text(cells.get(3).getAsJsonObject()));
        JsonObject table = cells.get(4).getAsJsonObject().getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertTrue(table.getAsJsonObject("data").has("text/html"));
        assertEquals(List.of(1, 2, 3, 4, 5), List.of(1, 2, 3, 4, 5).stream().map(i -> cells.get(i - 1).getAsJsonObject().get("execution_count").getAsInt()).toList());
        assertNbformat4(out);

        // running the output again replaces the injected cell instead of adding a second one
        NotebookRunner.run(out, out, Map.of("n", "7"));
        long injectedCells = cells(out).asList().stream().filter(c -> NotebookRunner.hasTag(c.getAsJsonObject(), "injected-parameters")).count();
        assertEquals(1, injectedCells);
        assertEquals("hello nobody\n70", text(cells(out).get(2).getAsJsonObject()));
    }

    @Test void failureNamesTheCellAndStillWritesThePartialNotebook() throws Exception {
        Path in = notebook(dir, "f.ipynb", code("int a = 1;"), code("System.out.println(\"before\");\nint b = 1 / (a - 1);"), code("a + 1"));
        Path out = dir.resolve("f.out.ipynb");
        NotebookRunner.Result r = NotebookRunner.run(in, out, Map.of());
        assertFalse(r.ok());
        assertEquals(1, r.failedCell());
        assertTrue(r.summary().contains("f.ipynb") && r.summary().contains("cell 1") && r.summary().contains("ArithmeticException"), r.summary());
        JsonArray cells = cells(out);
        JsonArray outs = cells.get(1).getAsJsonObject().getAsJsonArray("outputs");
        assertEquals("before\n", outs.get(0).getAsJsonObject().get("text").getAsString());
        JsonObject err = outs.get(1).getAsJsonObject();
        assertEquals("java.lang.ArithmeticException", err.get("ename").getAsString());
        assertEquals("/ by zero", err.get("evalue").getAsString());
        assertTrue(cells.get(2).getAsJsonObject().get("execution_count").isJsonNull(), "later cells are not run");
        assertNbformat4(out);
    }

    @Test void commandExitsNonZeroNamingNotebookAndCell() throws Exception {
        Path bad = notebook(dir, "bad.ipynb", code("throw new RuntimeException(\"no\");"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream orig = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = new RunCommand().run(new Args("run", new String[]{bad.toString(), "--out", dir.resolve("o").toString()}, Set.of()));
        } finally {
            System.setOut(orig);
        }
        assertEquals(1, status);
        assertTrue(buf.toString().contains("bad.ipynb: cell 0 failed: java.lang.RuntimeException: no"), buf.toString());
        assertTrue(Files.exists(dir.resolve("o/bad.ipynb")));
    }

    @Test void libraryLoggingStaysOutOfCellOutput() throws Exception {
        Path in = notebook(dir, "log.ipynb", code("java.util.logging.Logger.getLogger(\"lib\").severe(\"noise\");\n"
                + "org.slf4j.LoggerFactory.getLogger(\"lib\").error(\"noise\");\nSystem.out.println(\"signal\");"));
        NotebookRunner.Result r = NotebookRunner.run(in, in, Map.of());
        assertTrue(r.ok(), r.summary());
        assertEquals("signal\n", text(cells(in).get(0).getAsJsonObject()));
    }

    @Test void badNotebookIsAClearError() throws Exception {
        Path p = dir.resolve("x.ipynb");
        Files.writeString(p, "{\"nbformat\": 3, \"worksheets\": []}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotebookRunner.run(p, p, Map.of()));
        assertTrue(e.getMessage().contains("x.ipynb") && e.getMessage().contains("nbformat 4"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "3|int n = 3;", "3000000000|long n = 3000000000L;", "1e-3|double n = 0.001;", "2.5|double n = 2.5;",
            "true|boolean n = true;", "hello|String n = \"hello\";", "'quoted'|String n = \"quoted\";", "a\"b|String n = \"a\\\"b\";"})
    void typesAreInferredFromTheLiteral(String value, String expected) {
        assertTrue(Parameters.declarations(Map.of("n", value), "").endsWith(expected), Parameters.declarations(Map.of("n", value), ""));
    }

    @Test void declaredTypeWins() {
        assertTrue(Parameters.declarations(Map.of("lr", "1"), "double lr = 1e-4;").endsWith("double lr = 1.0;"));
        assertTrue(Parameters.declarations(Map.of("tag", "12"), "String tag = \"a\";").endsWith("String tag = \"12\";"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parameters.declarations(Map.of("epochs", "x"), "int epochs = 3;"));
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parameters.declarations(Map.of("1bad", "1"), ""));
    }
}
