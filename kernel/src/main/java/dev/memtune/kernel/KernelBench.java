package dev.memtune.kernel;

import com.google.gson.JsonObject;
import dev.memtune.kernel.eval.Classpath;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kernel latency benchmark (printed, not a timed test): starts the kernel as Jupyter would (a new
 * JVM on a connection file), measures process start to the first cell's result, then the median
 * round trip (execute_request to execute_reply) of a trivial cell. Aim: under 3 s and under 50 ms.
 */
public final class KernelBench {
    /** Measured figures; {@code medianMs}/{@code p90Ms} over {@code cells} runs of the cell {@code 1}. */
    /**
     * Measured figures; {@code medianMs}/{@code p90Ms} over {@code cells} runs of the cell {@code 1};
     * {@code cpuMsPerCell} is the kernel process's CPU time per cell, which a loaded machine inflates
     * less than wall time.
     */
    public record Result(double startSeconds, double startCpuSeconds, double medianMs, double p90Ms, double cpuMsPerCell, int cells) {
        public String text() {
            return String.format("kernel start to first cell result: %.2f s, kernel CPU %.2f s (aim < 3 s)%n"
                            + "trivial cell round trip: median %.1f ms, p90 %.1f ms over %d cells; kernel CPU %.1f ms per cell (aim < 50 ms)",
                    startSeconds, startCpuSeconds, medianMs, p90Ms, cells, cpuMsPerCell);
        }
    }

    private KernelBench() {}

    public static Result run(int cells) throws Exception {
        Path dir = Files.createTempDirectory("memtune-kernel-bench");
        try (KernelClient client = new KernelClient()) {
            Path conn = client.writeConnectionFile(dir);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(java, "-Xmx2g", "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-cp",
                    String.join(File.pathSeparator, KernelSpec.dedupe(Classpath.current())), KernelMain.class.getName(), conn.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("kernel.log").toFile()).start();
            try {
                client.connect();
                client.send(false, "kernel_info_request", Map.of(), false);
                if (client.reply(false, 60000) == null) throw new IllegalStateException("kernel did not answer kernel_info_request; log: " + dir.resolve("kernel.log"));
                roundTrip(client);
                double start = (System.nanoTime() - t0) / 1e9;
                long cpu0 = cpuNanos(p);
                double[] ms = new double[cells];
                for (int i = 0; i < cells; i++) ms[i] = roundTrip(client);
                double cpuPerCell = (cpuNanos(p) - cpu0) / 1e6 / cells;
                Arrays.sort(ms);
                client.send(true, "shutdown_request", Map.of("restart", false), false);
                client.reply(true, 5000);
                return new Result(start, cpu0 / 1e9, ms[cells / 2], ms[(int) Math.min(cells - 1, Math.round(cells * 0.9))], cpuPerCell, cells);
            } finally {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    private static double roundTrip(KernelClient client) throws Exception {
        long t = System.nanoTime();
        client.execute("1");
        JsonObject r = client.reply(false, 60000);
        if (r == null || !"ok".equals(r.getAsJsonObject("content").get("status").getAsString()))
            throw new IllegalStateException("trivial cell failed: " + r);
        return (System.nanoTime() - t) / 1e6;
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run(args.length > 0 ? Integer.parseInt(args[0]) : 50).text());
    }
}
