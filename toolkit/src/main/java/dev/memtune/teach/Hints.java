package dev.memtune.teach;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Locale;

/** The diagnoses behind {@link Check}: what is wrong with a result, in one sentence with a hint. */
final class Hints {
    private Hints() {}

    static double[] values(NDArray a) { return a.toType(DataType.FLOAT64, false).toDoubleArray(); }

    /** Null if the shapes agree, else what is wrong with {@code actual}'s. */
    static String shape(String what, Shape actual, Shape expected) {
        if (actual.equals(expected)) return null;
        String s = what + " has shape " + actual + " but should have " + expected;
        if (actual.dimension() == expected.dimension() && actual.dimension() >= 2 && reversedLast2(actual).equals(expected))
            return s + ": it looks transposed; check which side of each product a matrix goes on (x W^T, not W x), or add .transpose()";
        if (actual.size() == expected.size())
            return s + ": the same number of values in another layout; check the order of the dimensions";
        return s + "; check the shapes of the operands (print x.getShape()) and which dimension each product contracts";
    }

    private static Shape reversedLast2(Shape s) {
        long[] d = s.getShape().clone();
        int n = d.length;
        long t = d[n - 1]; d[n - 1] = d[n - 2]; d[n - 2] = t;
        return new Shape(d);
    }

    /** Null if {@code actual} matches {@code expected}, else the diagnosis. */
    static String arrays(String what, NDArray actual, NDArray expected, double rtol, double atol, Check.Mistake... likely) {
        if (actual == null) return what + " is null: return an array";
        double[] e = values(expected);
        String shapeWhy = shape(what, actual.getShape(), expected.getShape());
        if (shapeWhy != null) {
            for (Check.Mistake m : likely)
                if (m.value() instanceof NDArray w && w.getShape().equals(actual.getShape()) && close(values(actual), values(w), rtol, atol))
                    return what + ": " + m.hint();
            return shapeWhy;
        }
        double[] a = values(actual);
        for (double x : a) if (!Double.isFinite(x)) return what + " contains NaN or infinity: a division by zero, or a value that overflowed?";
        if (close(a, e, rtol, atol)) return null;
        for (Check.Mistake m : likely)
            if (m.value() instanceof NDArray w && w.getShape().equals(actual.getShape()) && close(a, values(w), rtol, atol))
                return what + ": " + m.hint();
        return valuesDiffer(what, a, e, rtol, atol, actual.getShape());
    }

    /** Sign, constant factor, zeros, else the largest difference. */
    private static String valuesDiffer(String what, double[] a, double[] e, double rtol, double atol, Shape shape) {
        double[] neg = new double[e.length];
        for (int i = 0; i < e.length; i++) neg[i] = -e[i];
        boolean eZero = allZero(e, atol), aZero = allZero(a, atol);
        if (!eZero && close(a, neg, rtol, atol)) return what + " has the wrong sign: it is the negative of the expected values; check the sign of each term";
        if (aZero) return what + " is all zeros but should not be: a term left out, or something initialised to zero that should not be?";
        if (eZero) return what + " should be all zeros but is not";
        double ae = 0, ee = 0;
        for (int i = 0; i < e.length; i++) { ae += a[i] * e[i]; ee += e[i] * e[i]; }
        double k = ae / ee;
        double[] scaled = new double[e.length];
        for (int i = 0; i < e.length; i++) scaled[i] = k * e[i];
        if (close(a, scaled, rtol, atol))
            return String.format(Locale.ROOT, "%s is off by a constant factor: yours = %.4g x the expected; check the scaling (a factor such as alpha / r, 1 / lambda, or bytes per value)", what, k);
        int worst = 0, bad = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(a[i] - e[i]);
            if (d > atol + rtol * Math.abs(e[i])) bad++;
            if (d > Math.abs(a[worst] - e[worst])) worst = i;
        }
        return String.format(Locale.ROOT, "%s differs in %d of %d values; the largest difference is at %s: yours %.5g, expected %.5g",
                what, bad, e.length, index(worst, shape), a[worst], e[worst]);
    }

    /** Null if {@code actual} matches {@code expected}, else the diagnosis. */
    static String numbers(String what, double actual, double expected, double rtol, double atol, Check.Mistake... likely) {
        if (close(actual, expected, rtol, atol)) return null;
        if (!Double.isFinite(actual)) return what + " is " + actual + ": a division by zero, or a value that overflowed?";
        for (Check.Mistake m : likely)
            if (m.value() instanceof Double w && close(actual, w, rtol, atol)) return what + ": " + m.hint();
        String got = String.format(Locale.ROOT, "yours %s, expected %s", fmt(actual), fmt(expected));
        if (expected != 0 && close(actual, -expected, rtol, atol)) return what + " has the wrong sign (" + got + ")";
        if (actual == 0) return what + " is zero (" + got + "): a term left out?";
        double k = actual / expected;
        if (expected != 0 && (isNiceRatio(k) || isNiceRatio(1 / k)))
            return String.format(Locale.ROOT, "%s is off by a factor of %s (%s); check the scaling (bytes per value, a count per parameter, alpha / r)",
                    what, k >= 1 ? fmt(k) : "1/" + fmt(1 / k), got);
        return what + " is wrong (" + got + ")";
    }

    /** A ratio a teacher would recognise as a factor: close to a whole number from 2 to 64. */
    private static boolean isNiceRatio(double k) {
        double r = Math.rint(k);
        return r >= 2 && r <= 64 && Math.abs(k - r) < 1e-6 * r;
    }

    /** What an exception thrown by the student's code means, in one sentence, without its stack trace. */
    static String forException(Throwable t) {
        String msg = firstLine(t.getMessage());
        String where = studentFrame(t);
        String name = t.getClass().getSimpleName();
        String lower = msg.toLowerCase(Locale.ROOT);
        if (t instanceof StackOverflowError) return "your code recursed without end (StackOverflowError)" + where;
        if (t instanceof OutOfMemoryError) return "your code ran out of memory" + where + "; are the arrays much larger than they should be?";
        if (lower.contains("shape") || lower.contains("cannot be multiplied") || lower.contains("size of tensor")
                || lower.contains("dimension") || lower.contains("broadcast"))
            return "the shapes do not fit" + where + " (" + msg + "); check each operand's shape (print x.getShape()): a missing .transpose()?";
        if (t instanceof NullPointerException) return "your code used a null value" + where + (msg.isEmpty() ? "" : " (" + msg + ")");
        if (t instanceof ArithmeticException) return "your code divided by zero" + where + (msg.isEmpty() ? "" : " (" + msg + ")");
        return "your code threw " + name + where + (msg.isEmpty() ? "" : ": " + msg);
    }

    /** " in METHOD" for the innermost frame of a notebook cell (JShell's REPL classes), or "". */
    private static String studentFrame(Throwable t) {
        for (StackTraceElement f : t.getStackTrace())
            if (f.getClassName().startsWith("REPL.")) return f.getMethodName().startsWith("lambda$") ? " in the check" : " in " + f.getMethodName();
        return "";
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    static boolean close(double[] a, double[] e, double rtol, double atol) {
        if (a.length != e.length) return false;
        for (int i = 0; i < a.length; i++) if (!close(a[i], e[i], rtol, atol)) return false;
        return true;
    }

    static boolean close(double a, double e, double rtol, double atol) { return Math.abs(a - e) <= atol + rtol * Math.abs(e); }

    private static boolean allZero(double[] v, double atol) {
        for (double x : v) if (Math.abs(x) > atol) return false;
        return true;
    }

    private static String index(int flat, Shape shape) {
        long[] d = shape.getShape();
        long[] idx = new long[d.length];
        long rest = flat;
        for (int i = d.length - 1; i >= 0; i--) { idx[i] = rest % d[i]; rest /= d[i]; }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < idx.length; i++) sb.append(i == 0 ? "" : ", ").append(idx[i]);
        return sb.append(']').toString();
    }

    private static String fmt(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return String.format(Locale.ROOT, "%,d", (long) x);
        return String.format(Locale.ROOT, "%.5g", x);
    }
}
