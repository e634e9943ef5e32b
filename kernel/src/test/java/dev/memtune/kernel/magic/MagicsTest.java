package dev.memtune.kernel.magic;

import dev.memtune.kernel.RecordingOutput;
import dev.memtune.kernel.Session;
import dev.memtune.kernel.eval.CellException;
import org.junit.jupiter.api.*;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class MagicsTest {
    static final long MiB = 1024 * 1024;
    @TempDir static Path dir;
    static Session session;
    static RecordingOutput output = new RecordingOutput();
    static ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    static PrintStream origOut;

    @BeforeAll static void start() {
        session = Session.create(output, dir);
        origOut = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterAll static void stop() { System.setOut(origOut); session.close(); }

    @BeforeEach void clear() { stdout.reset(); output.shown.clear(); }

    @Test void timeReportsWallTimeOfTheCellAndPassesTheValueThrough() throws Exception {
        long t0 = System.nanoTime();
        Object v = session.execute("%%time\nThread.sleep(300);\n5");
        double outside = (System.nanoTime() - t0) / 1e6;
        assertEquals(5, v);
        Matcher m = Pattern.compile("Wall time: ([0-9.]+) (ms|s)").matcher(stdout.toString());
        assertTrue(m.find(), stdout.toString());
        double ms = Double.parseDouble(m.group(1)) * (m.group(2).equals("s") ? 1000 : 1);
        assertTrue(ms >= 300 && ms <= outside, ms + " ms vs sleep 300 and measured outside " + outside);
    }

    @Test void memoryReportsPeakAndHeldNativeMemory() throws Exception {
        // allocateDirect zero-fills, so every page of the buffer becomes resident
        session.execute("%%memory\nvar keep = java.nio.ByteBuffer.allocateDirect(256 << 20);");
        MemoryReport kept = session.lastMemoryReport();
        if (kept.peakRss() < 0)        // n/a is only for systems that keep VmHWM through a reset
            assertFalse(dev.memtune.sys.ProcMemory.resetPeak(), "peak shown as n/a where the resident peak can be reset: " + kept);
        else
            assertTrue(kept.peakUsed() >= 240 * MiB, "peak " + kept.peakUsed() / MiB + " MiB for a 256 MiB buffer: " + kept);
        assertTrue(kept.held() >= 240 * MiB, "held " + kept.held() / MiB + " MiB while the buffer is referenced");
        assertTrue(output.shown.stream().anyMatch(s -> s.bundle().get("text/html") != null && s.bundle().get("text/html").contains("peak resident")));

        session.execute("%%memory\nlong[] big = new long[64 << 20]; big[big.length - 1] = 1; big = null;");
        MemoryReport heap = session.lastMemoryReport();
        assertTrue(heap.peakHeap() - heap.heapBefore() >= 500 * MiB, "512 MiB array seen in the heap peak: " + heap.peakHeap() / MiB);
        assertTrue(heap.heapHeld() < 100 * MiB, "array released: " + heap.heapHeld() / MiB);
        session.execute("keep = null;");
    }

    @Test void loadRunsAFileOfSnippets() throws Exception {
        Files.writeString(dir.resolve("defs.jsh"), "int loaded = 41;\nint inc(int x) { return x + 1; }\n");
        assertEquals(42, session.execute("%load defs.jsh\ninc(loaded)"));
        CellException e = assertThrows(CellException.class, () -> session.execute("%load missing.jsh"));
        assertTrue(e.evalue().contains("missing.jsh"), e.evalue());
    }

    static Path compileHello(Path out) throws Exception {
        Path src = dir.resolve("src/hello/Hello.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package hello; public class Hello { public static String hi() { return \"hi from javac\"; } }");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), src.toString()));
        return out;
    }

    @Test void classpathAndJarsAddCompiledCode() throws Exception {
        Path classes = compileHello(dir.resolve("classes"));
        assertThrows(CellException.class, () -> session.execute("hello.Hello.hi()"));
        session.execute("%classpath classes");
        assertEquals("hi from javac", session.execute("hello.Hello.hi()"));

        Path jarDir = Files.createDirectories(dir.resolve("jars"));
        Path cls = compileHello(dir.resolve("classes2"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jarDir.resolve("hello2.jar")))) {
            jar.putNextEntry(new JarEntry("hello/Hello.class"));
            jar.write(Files.readAllBytes(cls.resolve("hello/Hello.class")));
        }
        session.execute("%jars jars/*.jar");
        assertTrue(stdout.toString().contains("added 1 jar(s)"), stdout.toString());
        assertThrows(CellException.class, () -> session.execute("%jars nothing/*.jar"));
    }

    @Test void mavenResolvesFromTheLocalRepositoryFirst() throws Exception {
        Path pom = MavenResolver.localRepository().resolve("org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.pom");
        Assumptions.assumeTrue(Files.exists(pom), "commons-lang3 3.14.0 not in the local Maven repository");
        try {
            session.execute("%maven org.apache.commons:commons-lang3:3.14.0");
        } catch (CellException e) {
            Assumptions.abort("cannot resolve offline here: " + e.evalue());
        }
        assertEquals("cba", session.execute("org.apache.commons.lang3.StringUtils.reverse(\"abc\")"));
    }

    @Test void mavenRepoChecksItsArgumentsAndListsTheRepositoriesInSearchOrder() throws Exception {
        for (String[] bad : new String[][]{{"%mavenRepo onlyid", "give a repository id and URL"},
                {"%mavenRepo r ftp://example.org/m2", "must start with https://, http:// or file:"},
                {"%mavenRepo r no/such/dir", "no directory"}, {"%mavenRepo r https://a b", "give a repository id and URL"}}) {
            CellException e = assertThrows(CellException.class, () -> session.execute(bad[0]), bad[0]);
            assertTrue(e.evalue().contains(bad[1]), bad[0] + " -> " + e.evalue());
        }
        Files.createDirectories(dir.resolve("m2repo"));
        Session fresh = new Session(session.evaluator(), output, dir);
        fresh.execute("%mavenRepo mine m2repo\n%mavenRepo other https://repo.example.org/maven2/");
        stdout.reset();
        fresh.execute("%mavenRepo");
        assertEquals(List.of("mine " + dir.resolve("m2repo").toUri(), "other https://repo.example.org/maven2/", "central " + MavenResolver.CENTRAL),
                stdout.toString().lines().toList(), "added repositories before Maven Central, a directory as a file: URL");
    }

    @Test void unknownMagicListsTheKnownOnes() {
        CellException e = assertThrows(CellException.class, () -> session.execute("%nope x"));
        assertTrue(e.evalue().contains("%nope") && e.evalue().contains("%%memory") && e.evalue().contains("%maven"), e.evalue());
    }

    @Test void docShowsTheSignature() throws Exception {
        session.execute("%doc Math.abs");
        assertTrue(output.shown.get(0).bundle().get("text/plain").contains("abs(int"), output.shown.toString());
    }

    @Test void displayShowsValuesMidCell() throws Exception {
        session.execute("Display.show(Table.create(\"t\", IntColumn.create(\"x\", 1)));\nDisplay.show(6 * 7);");
        assertEquals(2, output.shown.size());
        assertTrue(output.shown.get(0).bundle().get("text/html").contains("<th>x</th>"));
        assertEquals("42", output.shown.get(1).bundle().get("text/plain"));
        session.execute("int notShown = 1;");
        assertEquals(2, output.shown.size());
    }

    @Test void lineMagicsRunInOrderWithJava() throws Exception {
        Files.writeString(dir.resolve("a.jsh"), "int fromFile = 7;");
        assertEquals(14, session.execute("int before = 2;\n%load a.jsh\nbefore * fromFile"));
    }
}
