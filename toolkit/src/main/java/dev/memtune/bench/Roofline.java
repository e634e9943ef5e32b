package dev.memtune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The matrix-multiply roof of this machine through DJL's engine: GFLOP/s of an n x n by n x n
 * product ({@code 2 n^3} FLOPs). The size grows from 256 until one product takes at least
 * {@code minSeconds} or n reaches {@code maxN}, so a slow dtype (fp16 on CPUs without fp16 FMA)
 * is measured at a small size instead of hanging; then the median of {@code repeats} products.
 */
public final class Roofline {
    /** One roof measurement: dtype, matrix size, median seconds per product, GFLOP/s. */
    public record Roof(String dtype, int n, double seconds, double gflops, List<Double> times) {}

    private Roofline() {}

    public static Roof measure(DataType type, int maxN, double minSeconds, int repeats) {
        try (NDManager nd = NDManager.newBaseManager()) {
            int n = 256;
            double t;
            while (true) {
                t = time(nd, type, n);
                if (t >= minSeconds || n * 2 > maxN) break;
                n *= 2;
            }
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < repeats; i++) times.add(time(nd, type, n));
            Collections.sort(times);
            double med = times.get(times.size() / 2);
            return new Roof(name(type), n, med, 2.0 * n * n * n / med / 1e9, times);
        }
    }

    static String name(DataType t) { return t == DataType.FLOAT16 ? "fp16" : t == DataType.FLOAT32 ? "fp32" : t.toString(); }

    private static double time(NDManager nd, DataType type, int n) {
        try (NDManager sub = nd.newSubManager()) {
            NDArray a = sub.randomNormal(new Shape(n, n)).toType(type, false), b = sub.randomNormal(new Shape(n, n)).toType(type, false);
            a.matMul(b).close();                                  // warm-up (allocation, kernels)
            long t0 = System.nanoTime();
            NDArray c = a.matMul(b);
            c.toType(DataType.FLOAT32, false).getFloat(0, 0);     // force completion
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
