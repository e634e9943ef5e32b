package dev.memtune.kernel;

import com.google.gson.JsonObject;
import dev.memtune.kernel.eval.Classpath;
import org.junit.jupiter.api.*;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel as Jupyter runs it: a separate JVM (-Xmx256m) on a connection file, driven over
 * ZeroMQ by {@link KernelClient}. Covers signatures, binding, survival, interrupts, completion of
 * magic names, {@code %mavenRepo} with {@code %maven}, and renderers that libraries register.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelProcessTest {
    @TempDir static Path dir;
    static KernelClient client;
    static Process kernel;
    static long startedNanos;

    @BeforeAll
    static void startKernel() throws Exception {
        client = new KernelClient();
        Path conn = client.writeConnectionFile(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        startedNanos = System.nanoTime();
        kernel = new ProcessBuilder(java, "-Xmx256m", "-Dai.djl.offline=true", "-Dmaven.repo.local=" + dir.resolve("m2"), "-cp",
                String.join(File.pathSeparator, Classpath.current()), KernelMain.class.getName(), conn.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("kernel.log").toFile()).start();
        client.connect();
    }

    @AfterAll
    static void stopKernel() throws Exception {
        if (kernel != null && kernel.isAlive()) {
            client.send(true, "shutdown_request", Map.of("restart", false), false);
            JsonObject r = client.reply(true, 5000);
            assertNotNull(r, "shutdown_reply");
            assertEquals("ok", r.getAsJsonObject("content").get("status").getAsString());
            boolean exited = kernel.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            if (!exited) kernel.destroyForcibly();
            assertTrue(exited, "kernel process exits after shutdown_request");
        }
        if (client != null) client.close();
    }

    static JsonObject run(String code, long timeoutMs) throws Exception {
        String id = client.execute(code);
        JsonObject r = client.reply(false, timeoutMs);
        assertNotNull(r, "no execute_reply for: " + code + "\n" + log());
        assertEquals(id, r.getAsJsonObject("parent_header").get("msg_id").getAsString());
        return r.getAsJsonObject("content");
    }

    static String log() throws Exception { return Files.readString(dir.resolve("kernel.log")); }

    @Test @Order(1)
    void kernelInfoReplyCarriesStatusOkAndFirstCellRuns() throws Exception {
        client.send(false, "kernel_info_request", Map.of(), false);
        JsonObject r = client.reply(false, 30000);
        assertNotNull(r, "no kernel_info_reply\n" + log());
        JsonObject c = r.getAsJsonObject("content");
        assertEquals("ok", c.get("status").getAsString());
        assertEquals("java", c.getAsJsonObject("language_info").get("name").getAsString());
        assertEquals("42", run("6 * 7", 30000).get("status").getAsString().equals("ok") ? "42" : "failed");
        System.out.printf("kernel start to first cell result: %.2f s%n", (System.nanoTime() - startedNanos) / 1e9);
    }

    @Test @Order(2)
    void messageWithWrongSignatureIsIgnored() throws Exception {
        client.send(false, "execute_request", Map.of("code", "int hacked = 1;", "silent", false, "store_history", true,
                "user_expressions", Map.of(), "allow_stdin", false, "stop_on_error", true), true);
        assertNull(client.reply(false, 1500), "a badly signed request must get no reply");
        JsonObject c = run("hacked", 10000);              // the unsigned code never ran
        assertEquals("error", c.get("status").getAsString());
        assertEquals("ok", run("1 + 1", 10000).get("status").getAsString(), "the kernel still serves signed requests");
        assertTrue(log().contains("dropped a message on shell: Message received had invalid signature"), "logged for the server log: " + log());
    }

    @Test @Order(3)
    void bindsOnlyToTheConnectionFileAddress() throws Exception {
        Set<Integer> ours = new HashSet<>();
        for (int p : client.ports) ours.add(p);
        Map<Integer, String> listening = new HashMap<>();
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(f);
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
                String[] cols = line.trim().split("\\s+");
                String[] local = cols[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                if (cols[3].equals("0A") && ours.contains(port)) listening.put(port, local[0]);   // 0A = LISTEN
            }
        }
        Assumptions.assumeFalse(listening.isEmpty(), "/proc/net/tcp not readable here");
        assertEquals(ours, listening.keySet(), "all five channels listen");
        for (var e : listening.entrySet())
            assertTrue(Set.of("0100007F", "0000000000000000FFFF00000100007F").contains(e.getValue()),   // 127.0.0.1, or ::ffff:127.0.0.1
                    "port " + e.getKey() + " must listen on 127.0.0.1 only, not " + e.getValue());
    }

    @Test @Order(4)
    void survivesThrowStackOverflowAndOutOfMemory() throws Exception {
        JsonObject c = run("throw new IllegalStateException(\"boom\");", 10000);
        assertEquals("error", c.get("status").getAsString());
        assertEquals("java.lang.IllegalStateException", c.get("ename").getAsString());
        assertEquals("boom", c.get("evalue").getAsString());
        assertEquals("ok", run("int after1 = 1;", 10000).get("status").getAsString());

        assertEquals("ok", run("int down(int n) { return down(n + 1) + 1; }", 10000).get("status").getAsString());
        c = run("down(0)", 30000);
        assertEquals("java.lang.StackOverflowError", c.get("ename").getAsString());
        assertEquals("ok", run("int after2 = 2;", 10000).get("status").getAsString());

        c = run("{ var hog = new java.util.ArrayList<long[]>(); while (true) hog.add(new long[1 << 20]); }", 60000);
        assertEquals("java.lang.OutOfMemoryError", c.get("ename").getAsString());
        JsonObject ok = run("after1 + after2", 10000);
        assertEquals("ok", ok.get("status").getAsString(), "state survives all three");
    }

    @Test @Order(5)
    void interruptStopsABusyLoopAndAToolkitLoop() throws Exception {
        for (String code : List.of("while (true) { }",
                "for (long i = 0; ; i++) { dev.memtune.progress.Progress.report(new dev.memtune.progress.ProgressEvent(\"train\", i, 1_000_000_000L, 0.5, 1000, 60, \"\")); dev.memtune.progress.Progress.checkInterrupted(); }")) {
            String id = client.execute(code);
            Thread.sleep(800);
            long t0 = System.nanoTime();
            client.send(true, "interrupt_request", Map.of(), false);
            JsonObject ir = client.reply(true, 5000);
            assertNotNull(ir, "interrupt_reply");
            assertEquals("ok", ir.getAsJsonObject("content").get("status").getAsString());
            JsonObject r = client.reply(false, 5000);
            assertNotNull(r, "cell did not stop after interrupt: " + code);
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(s < 3, "stopped within a couple of seconds: " + s);
            assertEquals("Interrupted", r.getAsJsonObject("content").get("ename").getAsString());
            List<JsonObject> io = client.iopubUntilIdle(id, 3000);
            if (code.contains("Progress")) {
                assertTrue(io.stream().anyMatch(m -> KernelClient.type(m).equals("display_data")
                        && m.getAsJsonObject("content").getAsJsonObject("transient").has("display_id")), "progress bar shown");
                assertTrue(io.stream().anyMatch(m -> KernelClient.type(m).equals("update_display_data")), "progress bar updated");
            }
            assertEquals("ok", run("1", 10000).get("status").getAsString(), "kernel lives on");
        }
    }

    @Test @Order(6)
    void sigintAlsoInterrupts() throws Exception {
        // a process started in the background of a non-interactive shell inherits SIGINT as ignored, and
        // the JVM then cannot handle it (the kernel's default interrupt_mode is "message", tested above)
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started in the background of a non-interactive shell): signal interrupts cannot be tested here");
        client.execute("while (true) { }");
        Thread.sleep(800);
        long t0 = System.nanoTime();
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(kernel.pid())).start().waitFor());
        JsonObject r = client.reply(false, 5000);
        assertNotNull(r, "cell did not stop after SIGINT");
        assertTrue((System.nanoTime() - t0) / 1e9 < 3);
        assertEquals("Interrupted", r.getAsJsonObject("content").get("ename").getAsString());
        assertTrue(kernel.isAlive());
        assertEquals("ok", run("2", 10000).get("status").getAsString());
    }

    @Test @Order(7)
    void trivialCellRoundTrip() throws Exception {
        double[] ms = new double[30];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            run("1", 10000);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("trivial cell round trip: median %.1f ms (min %.1f, max %.1f)%n", ms[ms.length / 2], ms[0], ms[ms.length - 1]);
    }

    /** Matches of a complete_request, checking the replaced range [start, end). */
    static List<String> complete(String code, int cursor, int start) throws Exception {
        client.send(false, "complete_request", Map.of("code", code, "cursor_pos", cursor), false);
        JsonObject r = client.reply(false, 10000);
        assertNotNull(r, "complete_reply for " + code);
        JsonObject c = r.getAsJsonObject("content");
        assertEquals("ok", c.get("status").getAsString());
        assertEquals(start, c.get("cursor_start").getAsInt(), "cursor_start for " + code);
        assertEquals(cursor, c.get("cursor_end").getAsInt(), "cursor_end for " + code);
        List<String> out = new ArrayList<>();
        c.getAsJsonArray("matches").forEach(m -> out.add(m.getAsString()));
        return out;
    }

    @Test @Order(8)
    void completesMagicNames() throws Exception {
        assertEquals(List.of("%maven", "%mavenRepo"), complete("%ma", 3, 0));
        assertEquals(List.of("%maven", "%mavenRepo", "%%memory"), complete("%m", 2, 0), "a cell's first line also offers cell magics");
        assertEquals(List.of("%classpath", "%doc", "%jars", "%load", "%maven", "%mavenRepo", "%%memory", "%%time"), complete("%", 1, 0));
        assertEquals(List.of("%%time"), complete("%%t", 3, 0));
        String later = "int a = 1;\n  %m";
        assertEquals(List.of("%maven", "%mavenRepo"), complete(later, later.length(), later.length() - 2), "cell magics only on the first line");
        assertEquals(List.of(), complete("%%zz", 4, 0));
        assertTrue(complete("Math.ab", 7, 5).contains("abs("), "Java completion still works");
    }

    /** Runs a cell and returns its IOPub messages (up to idle) after checking it succeeded. */
    static List<JsonObject> runOk(String code, long timeoutMs) throws Exception {
        String id = client.execute(code);
        JsonObject r = client.reply(false, timeoutMs);
        assertNotNull(r, "no execute_reply for: " + code + "\n" + log());
        List<JsonObject> io = client.iopubUntilIdle(id, 5000);
        assertEquals("ok", r.getAsJsonObject("content").get("status").getAsString(), code + " failed: " + r + "\n" + io);
        return io;
    }

    static JsonObject data(List<JsonObject> io, String msgType) {
        return io.stream().filter(m -> KernelClient.type(m).equals(msgType)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + msgType + " in " + io)).getAsJsonObject("content").getAsJsonObject("data");
    }

    static String stdout(List<JsonObject> io) {
        StringBuilder sb = new StringBuilder();
        for (JsonObject m : io) if (KernelClient.type(m).equals("stream")) sb.append(m.getAsJsonObject("content").get("text").getAsString());
        return sb.toString();
    }

    @Test @Order(9)
    void mavenRepoAddsADirectoryRepositoryAndTheLibrarysRendererShowsItsValues() throws Exception {
        Path repo = TestLibrary.mavenRepository(dir.resolve("lib"));
        String url = repo.toUri().toString();
        assertTrue(stdout(runOk("%mavenRepo testlib " + url, 10000)).contains("added Maven repository testlib: " + url));
        List<JsonObject> io = runOk("%maven " + TestLibrary.PRICE, 120000);
        assertTrue(stdout(io).contains("added 2 jar(s)"), "the library and its dependency: " + stdout(io));
        Path local = dir.resolve("m2/test/memtune");
        assertTrue(Files.isRegularFile(local.resolve("price/1.0/price-1.0.jar")) && Files.isRegularFile(local.resolve("currency/1.0/currency-1.0.jar")),
                "both jars copied into the local repository (-Dmaven.repo.local)");

        JsonObject shown = data(runOk("new shop.Price(1999, \"EUR\")", 20000), "execute_result");
        assertEquals("<span class='price'>\u20ac19.99</span>", shown.get("text/html").getAsString(), "rendered by the library's own renderer");
        assertEquals("\u20ac19.99", shown.get("text/plain").getAsString());
        JsonObject mid = data(runOk("Display.show(new shop.Price(5, \"USD\"));", 20000), "display_data");
        assertEquals("<span class='price'>$0.05</span>", mid.get("text/html").getAsString(), "Display.show uses it too");
    }

    @Test @Order(10)
    void rendererRegisteredOnTheStartupClassPathShowsItsType() throws Exception {
        JsonObject d = data(runOk("new dev.memtune.kernel.display.TestRenderers.Money(1999, \"EUR\")", 20000), "execute_result");
        assertEquals("<span class=\"money\">19.99 EUR</span>", d.get("text/html").getAsString());
        assertEquals("Money[cents=1999, currency=EUR]", d.get("text/plain").getAsString(), "text form added from toString()");
    }

    /** Bit 2 (SIGINT) of SigIgn in /proc/self/status; the kernel child inherits this process's dispositions. */
    static boolean sigintIgnored() throws java.io.IOException {
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
            if (l.startsWith("SigIgn:")) return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & (1L << 1)) != 0;
        return false;
    }
}
