package dev.memtune.teach;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Random;

/**
 * What a check body compares with: each method passes silently or stops the check with a
 * {@link Failure} whose message says what is wrong. Arrays and numbers are compared within a
 * tolerance (float32 by default: relative 1e-4, absolute 1e-5); a failed comparison is diagnosed
 * in this order: a likely mistake the exercise names ({@link #mistake}), the shape (transposed, a
 * different layout), NaN, the sign, a constant factor (a scaling), all zeros, and finally the
 * largest difference. Arrays made through {@link #manager()} and {@link #random} are closed when the
 * check ends.
 */
public final class Check implements AutoCloseable {
    /** A check that failed; its message is the verdict's explanation. */
    public static final class Failure extends RuntimeException {
        Failure(String why) { super(why, null, false, false); }
    }

    /** A wrong answer students often give, and the hint for it: the student's result is compared with {@code value}. */
    public record Mistake(String hint, Object value) {}

    private final NDManager manager = NDManager.newBaseManager();
    private double rtol = 1e-4, atol = 1e-5;
    private int passed;

    Check() {}

    /** A likely wrong array and what to say when the student's result equals it. */
    public static Mistake mistake(String hint, NDArray wrong) { return new Mistake(hint, wrong); }

    /** A likely wrong number and what to say when the student's result equals it. */
    public static Mistake mistake(String hint, double wrong) { return new Mistake(hint, wrong); }

    /** Arrays for the check's own inputs; closed when the check ends. */
    public NDManager manager() { return manager; }

    /** Comparisons passed so far. */
    int passed() { return passed; }

    /** Sets the tolerance: {@code |actual - expected| <= atol + rtol |expected|} everywhere. */
    public Check tolerance(double rtol, double atol) {
        if (!(rtol >= 0) || !(atol >= 0)) throw new IllegalArgumentException("Check.tolerance: rtol and atol must be >= 0, got " + rtol + ", " + atol);
        this.rtol = rtol;
        this.atol = atol;
        return this;
    }

    /** Standard-normal float32 values of the given shape, the same for the same seed on every machine. */
    public NDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(new Shape(shape).size())];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return manager.create(v, new Shape(shape));
    }

    /** Fails with {@code hint} unless {@code ok}. */
    public void that(boolean ok, String hint) {
        if (!ok) throw new Failure(hint);
        passed++;
    }

    /** {@code actual} has exactly {@code expected} as its shape. */
    public void shape(String what, NDArray actual, long... expected) {
        if (actual == null) throw new Failure(what + " is null: return an array");
        String why = Hints.shape(what, actual.getShape(), new Shape(expected));
        if (why != null) throw new Failure(why);
        passed++;
    }

    /** True if every value of {@code a} is exactly zero (for hints that depend on it). */
    public static boolean isZero(NDArray a) { return Arrays.stream(Hints.values(a)).allMatch(x -> x == 0); }

    /** Every value of {@code actual} is zero; else fails with {@code hint} (an initialisation check). */
    public void zero(String what, NDArray actual, String hint) {
        if (actual == null) throw new Failure(what + " is null: return an array");
        if (Arrays.stream(Hints.values(actual)).anyMatch(x -> x != 0)) throw new Failure(what + " is not all zeros: " + hint);
        passed++;
    }

    /** Some value of {@code actual} is not zero; else fails with {@code hint} (an initialisation check). */
    public void notZero(String what, NDArray actual, String hint) {
        if (actual == null) throw new Failure(what + " is null: return an array");
        if (Arrays.stream(Hints.values(actual)).allMatch(x -> x == 0)) throw new Failure(what + " is all zeros: " + hint);
        passed++;
    }

    /** {@code actual} equals {@code expected} within the tolerance; else fails with a diagnosis. */
    public void equal(String what, NDArray actual, NDArray expected, Mistake... likely) {
        if (expected == null) throw new IllegalArgumentException("Check.equal(" + what + "): the reference is null");
        String why = Hints.arrays(what, actual, expected, rtol, atol, likely);
        if (why != null) throw new Failure(why);
        passed++;
    }

    /** {@code actual} equals {@code expected} within the tolerance; else fails with a diagnosis. */
    public void equal(String what, double actual, double expected, Mistake... likely) {
        String why = Hints.numbers(what, actual, expected, rtol, atol, likely);
        if (why != null) throw new Failure(why);
        passed++;
    }

    /** As {@link #equal(String, NDArray, NDArray, Mistake...)}, after converting the student's array to float32. */
    public void equalAsFloat(String what, NDArray actual, NDArray expected, Mistake... likely) {
        equal(what, actual == null ? null : actual.toType(DataType.FLOAT32, false), expected, likely);
    }

    @Override
    public void close() { manager.close(); }
}
