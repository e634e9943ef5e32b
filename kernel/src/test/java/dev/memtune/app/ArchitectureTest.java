package dev.memtune.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The house's dependency rule, read from the sources of every module ({@code *}{@code /src/main/java}):
 * a package names another (an import, a fully qualified name, or a class or package name inside a
 * string; comments do not count) only when that package is on its own floor or below, and no package
 * reaches, directly or through others, a package that reaches it back.
 */
class ArchitectureTest {
    /** Floors from the ground up; a package not listed stands on the floor of its nearest listed parent. */
    static final List<List<String>> FLOORS = List.of(
            List.of("dev.memtune", "cli", "display", "metrics", "nn", "progress", "sys", "teach", "tokenize"),
            List.of("weights", "papers"),
            List.of("hub", "data"),
            List.of("backbone"),
            List.of("backbone.bert", "backbone.opt", "backbone.t5"),
            List.of("backbones", "step"),
            List.of("method"),
            List.of("method.adapter", "method.bitfit", "method.full", "method.lora", "method.lst", "method.meft"),
            List.of("method.symtune"),
            List.of("methods"),
            List.of("scoring", "profile"),
            List.of("bench", "train"),
            List.of("tables"),
            List.of("report"),
            List.of("kernel.display"),
            List.of("kernel.api"),
            List.of("kernel.eval"),
            List.of("kernel.magic", "kernel"),
            List.of("kernel.runner"),
            List.of("app", "sweep"));

    static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    static final Pattern NAME = Pattern.compile("dev\\.memtune(\\.[A-Za-z_][A-Za-z0-9_]*)+");

    /** Package -> the packages its sources name, with one example each (file: name). */
    static Map<String, Map<String, String>> edges(Path root) throws IOException {
        List<Path> files;
        try (var s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java") && p.toString().replace('\\', '/').contains("/src/main/java/")).toList();
        }
        Map<Path, String> packageOf = new HashMap<>();
        for (Path f : files) {
            Matcher m = PACKAGE.matcher(Files.readString(f));
            if (m.find()) packageOf.put(f, m.group(1));
        }
        Set<String> packages = new TreeSet<>(packageOf.values());
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String p : packages) out.put(p, new TreeMap<>());
        for (Path f : files) {
            String from = packageOf.get(f);
            Matcher m = NAME.matcher(stripComments(Files.readString(f)));
            while (m.find()) {
                String to = owner(m.group(), packages);
                if (to != null && !to.equals(from)) out.get(from).putIfAbsent(to, f.getFileName() + ": " + m.group());
            }
        }
        return out;
    }

    /** The longest known package that {@code name} is or lies in. */
    static String owner(String name, Set<String> packages) {
        String best = null;
        for (String q : packages) if ((name.equals(q) || name.startsWith(q + ".")) && (best == null || q.length() > best.length())) best = q;
        return best;
    }

    /** Source without block and line comments; string literals are kept (a class name in a string is a dependency). */
    static String stripComments(String src) {
        StringBuilder sb = new StringBuilder();
        int i = 0, n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '"' ) {                                       // string or text block: copy through
                boolean block = src.startsWith("\"\"\"", i);
                int end = block ? src.indexOf("\"\"\"", i + 3) + 3 : i + 1;
                if (!block) while (end < n && src.charAt(end) != '"' && src.charAt(end) != '\n') end += src.charAt(end) == '\\' ? 2 : 1;
                end = Math.min(n, block ? Math.max(end, i + 3) : end + 1);
                sb.append(src, i, end);
                i = end;
            } else if (c == '\'') {
                int end = i + 1;
                while (end < n && src.charAt(end) != '\'') end += src.charAt(end) == '\\' ? 2 : 1;
                sb.append(src, i, Math.min(n, end + 1));
                i = end + 1;
            } else if (src.startsWith("//", i)) {
                while (i < n && src.charAt(i) != '\n') i++;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else sb.append(src.charAt(i++));
        }
        return sb.toString();
    }

    static int floor(String pkg) {
        String rel = pkg.equals("dev.memtune") ? "dev.memtune" : pkg.substring("dev.memtune.".length());
        for (String p = rel; ; p = p.substring(0, p.lastIndexOf('.'))) {
            for (int f = 0; f < FLOORS.size(); f++) if (FLOORS.get(f).contains(p)) return f;
            if (!p.contains(".")) return -1;
        }
    }

    static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
            if (Files.isRegularFile(d.resolve("toolkit/pom.xml"))) return d;
        throw new IllegalStateException("no project root above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyPackageNamesOnlyItsOwnFloorOrBelow() throws IOException {
        List<String> bad = new ArrayList<>();
        for (var e : edges(root()).entrySet()) {
            int from = floor(e.getKey());
            if (from < 0) { bad.add(e.getKey() + " is on no floor: add it to ArchitectureTest.FLOORS"); continue; }
            for (var to : e.getValue().entrySet())
                if (floor(to.getKey()) > from) bad.add(e.getKey() + " (floor " + from + ") names " + to.getKey() + " (floor " + floor(to.getKey()) + ") in " + to.getValue());
        }
        assertTrue(bad.isEmpty(), "upward dependencies:\n" + String.join("\n", bad));
    }

    @Test
    void noPackageReachesOneThatReachesItBack() throws IOException {
        Map<String, Map<String, String>> g = edges(root());
        List<String> cycles = new ArrayList<>();
        for (String p : g.keySet())
            for (var to : g.get(p).entrySet())
                if (reach(to.getKey(), g).contains(p)) cycles.add(p + " -> " + to.getKey() + " (" + to.getValue() + ") and back");
        assertTrue(cycles.isEmpty(), "package cycles:\n" + String.join("\n", cycles));
        assertTrue(g.size() > 30, "the scan found only " + g.size() + " packages under " + root());
    }

    static Set<String> reach(String from, Map<String, Map<String, String>> g) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) for (String n : g.getOrDefault(todo.pop(), Map.of()).keySet()) if (seen.add(n)) todo.push(n);
        return seen;
    }

    /** The scanner itself: a name in a string counts, one in a comment does not, and an upward name is caught. */
    @Test
    void theScanSeesStringsAndSkipsComments() {
        String src = "package dev.memtune.nn;\n// dev.memtune.train.Trainer\n/* dev.memtune.kernel.X */ class A { String s = \"dev.memtune.app.Main\"; }";
        String kept = stripComments(src);
        assertFalse(kept.contains("dev.memtune.train"));
        assertFalse(kept.contains("dev.memtune.kernel"));
        assertTrue(kept.contains("dev.memtune.app.Main"));
        assertTrue(floor("dev.memtune.app") > floor("dev.memtune.nn"));
        assertEquals(floor("dev.memtune.method.lora"), floor("dev.memtune.method.lst"));
        assertEquals(floor("dev.memtune.kernel"), floor("dev.memtune.kernel.magic"));
    }
}
