package dev.memtune.profile;

import dev.memtune.sys.ProcMemory;
import com.google.gson.JsonParser;

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.TimeUnit;

/**
 * Runs one measurement in a fresh JVM (same java, same classpath) so that nothing else in this
 * process pollutes it and an out-of-memory kills only the child. The child's glibc allocator is
 * told to serve large blocks by mmap and to trim eagerly, so freed tensors leave the resident set.
 * A watchdog polls the child's {@code VmRSS} and kills it above a cap, reported as {@code oom}.
 */
final class ChildJvm {
    static final Map<String, String> MALLOC_ENV = Map.of(
            "MALLOC_MMAP_THRESHOLD_", "65536",     // blocks >= 64 KiB come from mmap and go back on free
            "MALLOC_TRIM_THRESHOLD_", "131072",
            "MALLOC_ARENA_MAX", "2");

    private ChildJvm() {}

    static ProfileResult run(Workload w, int steps, String dtype, String xmx, long maxRss, long timeoutSeconds, boolean setToNone) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xmx" + xmx);
        cmd.add("-XX:+UseSerialGC");                        // no parallel-GC thread stacks in the figures
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dmemtune.set_to_none=" + setToNone);
        cmd.add("-Dmemtune.dropout_masks=" + dev.memtune.nn.KeepMask.source());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ProfileChild.class.getName());
        cmd.add(w.toJson().toString());
        cmd.add(Integer.toString(steps));
        cmd.add(dtype);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(MALLOC_ENV);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return ProfileResult.failure(w, steps, dtype, "failed", "cannot start child JVM " + cmd.get(0) + ": " + e.getMessage());
        }
        StringBuilder out = new StringBuilder(), err = new StringBuilder();
        Thread to = drain(p.getInputStream(), out), te = drain(p.getErrorStream(), err);
        long peakSeen = 0;
        String killed = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (!p.waitFor(25, TimeUnit.MILLISECONDS)) {
                long rss = ProcMemory.residentBytes(p.pid(), "VmRSS");
                peakSeen = Math.max(peakSeen, rss);
                if (maxRss > 0 && rss > maxRss) {
                    killed = String.format("resident memory reached %.2f GiB, above the cap of %.2f GiB (--max-rss); child killed", rss / GIB, maxRss / GIB);
                    p.destroyForcibly();
                } else if (System.nanoTime() > deadline) {
                    killed = "timed out after " + timeoutSeconds + " s; child killed";
                    p.destroyForcibly();
                }
                if (killed != null) { p.waitFor(); break; }
            }
            to.join(2000);
            te.join(2000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return ProfileResult.failure(w, steps, dtype, "failed", "interrupted");
        }
        for (String line : out.toString().split("\n"))
            if (line.startsWith(ProfileChild.MARK))
                return ProfileResult.fromJson(JsonParser.parseString(line.substring(ProfileChild.MARK.length())).getAsJsonObject());
        int code = p.exitValue();
        if (killed != null) return ProfileResult.failure(w, steps, dtype, killed.startsWith("timed") ? "failed" : "oom", killed);
        String tail = tail(err.toString());
        if (code == 137 || code == 9 || tail.contains("OutOfMemory") || tail.contains("can't allocate memory"))
            return ProfileResult.failure(w, steps, dtype, "oom", "child exited with code " + code + " (killed: out of memory?) " + tail);
        return ProfileResult.failure(w, steps, dtype, "failed", "child exited with code " + code + ": " + tail);
    }

    static final double GIB = 1024.0 * 1024 * 1024;

    /**
     * Default cap on a child's resident memory: what the system has available now less 1.5 GiB for
     * everything else (at least 85% of it), so that t5-base full fine-tuning at the paper's batch
     * 100 (~19.2 GiB) fits a 23 GiB machine.
     */
    static long defaultMaxRss() {
        long avail = ProcMemory.availableBytes();
        if (avail <= 0) return 0;                                       // not Linux: no cap
        return Math.max((long) (avail * 0.85), avail - (long) (1.5 * GIB));
    }

    private static Thread drain(InputStream in, StringBuilder sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) synchronized (sink) { sink.append(l).append('\n'); }
            } catch (IOException e) {
                // child gone
            }
        }, "profile-child-drain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String tail(String s) {
        String t = s.strip();
        if (t.isEmpty()) return "(no output)";
        String[] lines = t.split("\n");
        return String.join(" | ", Arrays.asList(lines).subList(Math.max(0, lines.length - 3), lines.length));
    }
}
