package dev.memtune.kernel.magic;


import dev.memtune.kernel.eval.CellException;
import dev.memtune.sys.ProcMemory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.*;
import java.util.*;

/**
 * The kernel's magics, IJava's where they overlap. Line magics ({@code %name args}) may appear on
 * any line of a cell and run in order with the Java around them; a cell magic ({@code %%name args})
 * on the first line wraps the rest of the cell.
 * <ul>
 *   <li>{@code %classpath PATH...} — add jars or class directories;</li>
 *   <li>{@code %jars GLOB...} — add the jars matching glob patterns;</li>
 *   <li>{@code %maven group:artifact:version...} — resolve with runtime dependencies from the local
 *       repository, then the {@code %mavenRepo} repositories, then Maven Central;</li>
 *   <li>{@code %mavenRepo ID URL} — add a Maven repository ({@code https://}, {@code file:} or a
 *       directory) for later {@code %maven} lines; without arguments, list the repositories;</li>
 *   <li>{@code %load FILE} — run a file of Java snippets (may contain magics);</li>
 *   <li>{@code %doc EXPR} — signature and javadoc of a method or type, in the pager;</li>
 *   <li>{@code %%time} — run the cell, print wall time and the cell thread's CPU time;</li>
 *   <li>{@code %%memory} — run the cell, show its peak resident memory and what it held at the end.</li>
 * </ul>
 */
public final class Magics {
    /** A line magic. */
    public interface Line { void run(MagicContext s, String args) throws Exception; }

    /** A cell magic: runs (or wraps) the body and returns the cell's value. */
    public interface Cell { Object run(MagicContext s, String args, String body) throws Exception; }

    public static final Map<String, Line> LINE = new TreeMap<>(Map.of(
            "classpath", Magics::classpath, "jars", Magics::jars, "maven", Magics::maven, "mavenRepo", Magics::mavenRepo,
            "load", Magics::load, "doc", Magics::doc));
    public static final Map<String, Cell> CELL = new TreeMap<>(Map.of("time", Magics::time, "memory", Magics::memory));

    private Magics() {}

    static void classpath(MagicContext s, String args) {
        List<String> paths = new ArrayList<>();
        for (String a : words(args)) {
            for (String p : a.split(java.io.File.pathSeparator)) {
                Path path = s.workdir().resolve(p).normalize();
                if (!Files.exists(path)) throw new IllegalArgumentException("%classpath: no such file or directory: " + path);
                paths.add(path.toString());
            }
        }
        if (paths.isEmpty()) throw new IllegalArgumentException("%classpath: give one or more jars or directories");
        s.addToClasspath(paths);
        System.out.println("added to classpath: " + String.join(", ", paths));
    }

    static void jars(MagicContext s, String args) throws IOException {
        List<String> jars = new ArrayList<>();
        for (String glob : words(args)) jars.addAll(glob(s.workdir(), glob));
        if (jars.isEmpty()) throw new IllegalArgumentException("%jars: no jar matches " + args.strip());
        s.addToClasspath(jars);
        System.out.println("added " + jars.size() + " jar(s) to classpath");
    }

    static List<String> glob(Path base, String pattern) throws IOException {
        Path p = base.resolve(pattern).normalize();
        if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("{")) return Files.exists(p) ? List.of(p.toString()) : List.of();
        // walk from the deepest directory without wildcards
        Path root = p.isAbsolute() ? p.getRoot() : Path.of("");
        for (Path part : p) {
            if (part.toString().matches(".*[*?{\\[].*")) break;
            root = root.resolve(part);
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p);
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (var walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).filter(m::matches).sorted().forEach(f -> out.add(f.toString()));
        }
        return out;
    }

    static void maven(MagicContext s, String args) throws Exception {
        List<String> coords = words(args);
        if (coords.isEmpty()) throw new IllegalArgumentException("%maven: give group:artifact:version coordinates");
        List<String> jars = s.maven().resolve(coords).stream().map(Path::toString).toList();
        s.addToClasspath(jars);
        System.out.println("resolved " + String.join(" ", coords) + ": added " + jars.size() + " jar(s) to classpath");
    }

    /** {@code %mavenRepo ID URL}, JJava's form; a URL without a scheme is a directory (relative to the notebook). */
    static void mavenRepo(MagicContext s, String args) {
        List<String> w = words(args);
        if (w.size() == 2) {
            String url = w.get(1);
            if (!url.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                Path dir = s.workdir().resolve(url).normalize();
                if (!Files.isDirectory(dir)) throw new IllegalArgumentException("%mavenRepo: URL '" + url + "' for repository " + w.get(0)
                        + " has no scheme (https://, file:) and is no directory: " + dir);
                url = dir.toUri().toString();
            }
            System.out.println("added Maven repository " + w.get(0) + ": " + s.maven().addRepository(w.get(0), url).getUrl());
        } else if (w.isEmpty()) {
            s.maven().repositories().forEach(r -> System.out.println(r.getId() + " " + r.getUrl()));
        } else {
            throw new IllegalArgumentException("%mavenRepo: give a repository id and URL, e.g. %mavenRepo jitpack https://jitpack.io (got " + w.size() + " word(s))");
        }
    }

    static void load(MagicContext s, String args) throws Exception {
        List<String> w = words(args);
        if (w.size() != 1) throw new IllegalArgumentException("%load: give exactly one file");
        Path f = s.workdir().resolve(w.get(0)).normalize();
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException("%load: no such file: " + f);
        try {
            s.run(Files.readString(f));
        } catch (CellException e) {
            List<String> tb = new ArrayList<>(e.traceback());
            tb.add(0, "in %load " + f + ":");
            throw new CellException(e.ename(), f.getFileName() + ": " + e.evalue(), tb);
        }
    }

    static void doc(MagicContext s, String args) {
        String expr = args.strip();
        if (expr.isEmpty()) throw new IllegalArgumentException("%doc: give a method or type, e.g. %doc Math.abs");
        String text = s.inspect(expr, expr.length()).orElseThrow(() -> new IllegalArgumentException("%doc: no documentation found for " + expr));
        s.output().page(dev.memtune.kernel.display.MimeBundle.text(text));
    }

    static Object time(MagicContext s, String args, String body) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long id0 = s.evaluator().cellThreadId();
        long cpu0 = id0 >= 0 ? mx.getThreadCpuTime(id0) : 0;
        long t0 = System.nanoTime();
        try {
            return s.run(body);
        } finally {
            long wall = System.nanoTime() - t0;
            long id = s.evaluator().cellThreadId();
            long cpu = id >= 0 ? mx.getThreadCpuTime(id) - (id == id0 ? cpu0 : 0) : 0;
            System.out.printf("Wall time: %s, CPU time (cell thread): %s%n", millis(wall), millis(cpu));
        }
    }

    static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 1000 ? String.format("%.2f s", ms / 1000) : String.format("%.1f ms", ms);
    }

    static Object memory(MagicContext s, String args, String body) throws Exception {
        settle();
        long heap0 = ProcMemory.heapUsedBytes();
        boolean reset = ProcMemory.resetPeak();
        long rss0 = ProcMemory.residentBytes();
        try {
            return s.run(body);
        } finally {
            long peakRss = reset ? ProcMemory.peakResidentBytes() : -1;     // -1: VmHWM could not be reset, the peak would be the process's
            long peakHeap = ProcMemory.peakHeapBytes();
            long rss1 = ProcMemory.residentBytes();
            System.gc();
            MemoryReport r = new MemoryReport(rss0, peakRss, rss1, heap0, peakHeap, ProcMemory.heapUsedBytes());
            s.setLastMemoryReport(r);
            s.output().display(s.render(r), null);
        }
    }

    /**
     * Collects garbage and waits (at most 1 s) until resident memory stops changing: G1 returns
     * freed heap to the OS concurrently, and memory released during the cell would otherwise hide
     * part of the cell's own peak.
     */
    static void settle() throws InterruptedException {
        System.gc();
        long prev = ProcMemory.residentBytes();
        for (int i = 0; i < 40; i++) {
            Thread.sleep(25);
            long now = ProcMemory.residentBytes();
            if (Math.abs(now - prev) < 256 * 1024) return;
            prev = now;
        }
    }

    static List<String> words(String args) {
        List<String> out = new ArrayList<>();
        for (String w : args.trim().split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }
}
