package dev.memtune.sweep;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.TimeUnit;

/**
 * The executor side of a cell: runs {@code memtune train} for it in a child JVM (native memory and
 * crashes stay there, as with the profiler), with {@code OMP_NUM_THREADS} and DJL's
 * {@code ai.djl.pytorch.num_threads} set to the task's cores, and returns the result JSON. The child
 * resumes from its checkpoint when an earlier attempt left one in a shared output folder. A non-zero
 * exit throws, so Spark retries the task ({@code spark.task.maxFailures}). If the executor goes away
 * (its worker lost) or the task is killed, the child is sent SIGTERM, which makes {@code memtune train}
 * write a checkpoint before it exits. A cell given a latest start ({@code memtune sweep --stop-at}: it
 * would not finish before the stop time) does not start when its turn comes after that.
 */
public final class CellTask implements Function<Cell, CellOutcome> {
    private static final long serialVersionUID = 1L;
    /** Grace time for a stopped child to finish its step and write its checkpoint, as {@code memtune train}'s own shutdown hook allows. */
    static final long STOP_GRACE_SECONDS = 120;
    private final Launch launch;
    private final Map<Integer, Long> startBy;

    public CellTask(Launch launch) { this(launch, Map.of()); }

    /** @param startBy by cell index, the latest start (epoch milliseconds) of the cells that have one */
    public CellTask(Launch launch, Map<Integer, Long> startBy) {
        this.launch = launch;
        this.startBy = new HashMap<>(startBy);
    }

    @Override
    public CellOutcome call(Cell cell) throws Exception {
        TaskContext tc = TaskContext.get();
        int threads = launch.threads() > 0 ? launch.threads() : tc != null ? Math.max(1, tc.cpus()) : 1;
        int attempt = tc != null ? tc.attemptNumber() : 0;
        Long by = startBy.get(cell.index());
        if (by != null && System.currentTimeMillis() > by)
            return CellOutcome.notStarted(cell.index(), executor(), worker(), attempt, "its turn came after its latest start, "
                    + java.time.Instant.ofEpochMilli(by).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        String root = launch.localRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launch.javaOpts());
        cmd.addAll(List.of("-Dai.djl.offline=true", "-Dmemtune.root=" + root,
                "-Dai.djl.pytorch.num_threads=" + threads, "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", launch.localClasspath(), launch.mainClass()));
        cmd.addAll(cell.trainArgs(root + "/reproduce/configs", launch.out()));
        Path log = Path.of(launch.out(), "sweep-logs", cell.resultPath().replaceAll("\\.json$", "") + ".attempt" + attempt + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of(root).toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.put("MKL_NUM_THREADS", Integer.toString(threads));
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        long t0 = System.nanoTime();
        Process p = pb.start();
        Thread reaper = new Thread(() -> stop(p), "memtune-sweep-stop-child");
        Runtime.getRuntime().addShutdownHook(reaper);                  // executor exiting (worker lost): stop the child too
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS))
                if (tc != null && tc.isInterrupted()) {
                    stop(p);
                    throw new InterruptedException("cell " + cell.label() + ": task killed; child stopped");
                }
        } catch (InterruptedException e) {
            stop(p);
            throw e;
        } finally {
            try { Runtime.getRuntime().removeShutdownHook(reaper); } catch (IllegalStateException ignored) { /* shutting down */ }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0)
            throw new IllegalStateException("cell " + cell.label() + ": memtune train exited with status " + p.exitValue()
                    + " on " + worker() + " (log " + log + "): " + tail(log));
        Path result = Path.of(launch.out()).resolve(cell.resultPath());
        if (!Files.isRegularFile(result))
            throw new IllegalStateException("cell " + cell.label() + ": memtune train wrote no result " + result + " (log " + log + ")");
        return new CellOutcome(cell.index(), Files.readString(result), executor(), worker(), attempt, seconds, log.toString(), null);
    }

    private static String executor() { return SparkEnv.get() != null ? SparkEnv.get().executorId() : "driver"; }

    /** SIGTERM, then a grace period for the checkpoint, then SIGKILL; the child's own children too. */
    static void stop(Process p) {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** {@code host:folder} of the standalone worker that launched this executor (its work folder holds {@code app-id/executor-id}). */
    static String worker() {
        String host;
        try { host = InetAddress.getLocalHost().getHostName(); } catch (IOException e) { host = "localhost"; }
        String exec = SparkEnv.get() != null ? SparkEnv.get().executorId() : "driver";
        if (exec.equals("driver")) return host + ":driver";
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path workDir = dir.getParent() != null && dir.getParent().getParent() != null ? dir.getParent().getParent() : dir;
        return host + ":" + workDir;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
