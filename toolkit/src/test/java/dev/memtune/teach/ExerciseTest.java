package dev.memtune.teach;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each kind of mistake gets its own hint. The reference is y = 0.5 x W^T computed in plain Java
 * (loops over double arrays), independent of the NDArray code under test; the "student" answers
 * are the mistakes a student makes writing it with NDArrays.
 */
class ExerciseTest {
    static NDManager nd;
    static NDArray x, w, expected;
    static final double[][] X = {{1, 2, 3}, {-1, 0.5, 2}}, W = {{0.1, -0.2, 0.3}, {0.5, 0.4, -0.6}, {1, 0, 2}, {-1, 1, 0.25}};

    @BeforeAll static void setUp() {
        nd = NDManager.newBaseManager();
        x = nd.create(flat(X)).reshape(2, 3);
        w = nd.create(flat(W)).reshape(4, 3);
        double[] y = new double[2 * 4];
        for (int i = 0; i < 2; i++) for (int o = 0; o < 4; o++) { double s = 0; for (int k = 0; k < 3; k++) s += X[i][k] * W[o][k]; y[i * 4 + o] = 0.5 * s; }
        expected = nd.create(toFloat(y)).reshape(2, 4);
    }

    @AfterAll static void tearDown() { nd.close(); }

    static float[] flat(double[][] m) { float[] f = new float[m.length * m[0].length]; int i = 0; for (double[] r : m) for (double v : r) f[i++] = (float) v; return f; }
    static float[] toFloat(double[] d) { float[] f = new float[d.length]; for (int i = 0; i < d.length; i++) f[i] = (float) d[i]; return f; }

    static Verdict student(java.util.function.Supplier<NDArray> answer) {
        return Exercise.verdict("1.1 scaled projection", c -> c.equal("y", answer.get(), expected,
                Check.mistake("the 0.5 factor is applied twice", expected.mul(0.5))));
    }

    static void fails(Verdict v, String... needles) {
        assertFalse(v.passed(), v.line());
        assertTrue(v.line().startsWith("❌ 1.1 scaled projection: "), v.line());
        for (String n : needles) assertTrue(v.line().contains(n), "expected '" + n + "' in: " + v.line());
        assertFalse(v.line().contains("\tat ") || v.line().contains(".java:"), "no stack trace: " + v.line());
        assertEquals(0.0, v.points());
    }

    @Test void correctAnswerPasses() {
        Verdict v = student(() -> x.matMul(w.transpose()).mul(0.5));
        assertTrue(v.passed(), v.line());
        assertEquals("✅ 1.1 scaled projection (1 check passed)", v.line());
        assertEquals(1.0, v.points());
    }

    @Test void transposedResultSaysTransposed() {
        fails(student(() -> w.matMul(x.transpose()).mul(0.5)), "has shape (4, 2) but should have (2, 4)", "transposed");
    }

    @Test void otherLayoutSaysLayout() {
        fails(student(() -> x.matMul(w.transpose()).mul(0.5).reshape(1, 8)), "(1, 8)", "another layout");
    }

    @Test void wrongSign() {
        fails(student(() -> x.matMul(w.transpose()).mul(-0.5)), "wrong sign");
    }

    @Test void missingScaleIsAConstantFactor() {
        fails(student(() -> x.matMul(w.transpose())), "constant factor", "yours = 2.000 x the expected", "scaling");
    }

    @Test void aNamedMistakeGetsItsOwnHint() {
        fails(student(() -> x.matMul(w.transpose()).mul(0.25)), "the 0.5 factor is applied twice");
    }

    @Test void zerosSaySomethingWasLeftAtZero() {
        fails(student(() -> nd.zeros(expected.getShape())), "all zeros", "initialised to zero");
    }

    @Test void nanIsCalledOut() {
        fails(student(() -> x.matMul(w.transpose()).div(0).mul(0)), "NaN");
    }

    @Test void otherDifferencesNameTheLargest() {
        NDArray y = x.matMul(w.transpose()).mul(0.5);
        fails(student(() -> y.add(nd.create(new float[]{0, 0, 0, 0, 0, 0, 0.5f, 0}).reshape(2, 4))), "differs in 1 of 8 values", "at [1, 2]");
    }

    @Test void notDoneIsAVerdictNotAnError() {
        fails(student(() -> { throw Exercise.notDone(); }), "not done yet", "throw Exercise.notDone()");
    }

    @Test void shapeErrorsFromTheEngineBecomeAShapeHint() {
        fails(student(() -> x.matMul(w).mul(0.5)), "shapes do not fit", ".transpose()");   // [2,3] x [4,3]
    }

    @Test void anyOtherExceptionIsNamedWithoutItsTrace() {
        fails(student(() -> { throw new IllegalStateException("oops\nsecond line"); }), "your code threw IllegalStateException: oops");
        fails(student(() -> { String s = null; return nd.create(s.length()); }), "null value");
    }

    @Test void initialisationChecks() {
        Verdict bNotZero = Exercise.verdict("2.2 init", c -> c.zero("B", nd.ones(new ai.djl.ndarray.types.Shape(4, 2)), "B must start at zero"));
        assertEquals("❌ 2.2 init: B is not all zeros: B must start at zero", bNotZero.line());
        Verdict aZero = Exercise.verdict("2.2 init", c -> c.notZero("A", nd.zeros(new ai.djl.ndarray.types.Shape(2, 3)), "no gradient reaches B"));
        assertEquals("❌ 2.2 init: A is all zeros: no gradient reaches B", aZero.line());
        Verdict shape = Exercise.verdict("2.2 init", c -> c.shape("A", nd.zeros(new ai.djl.ndarray.types.Shape(3, 2)), 2, 3));
        assertTrue(shape.line().contains("transposed"), shape.line());
    }

    @Test void numbersGetFactorSignAndNamedMistakes() {
        Verdict factor = Exercise.verdict("1.1 bytes", c -> c.equal("static bytes", 400, 1600));
        assertTrue(factor.line().contains("off by a factor of 1/4") && factor.line().contains("yours 400, expected 1,600"), factor.line());
        Verdict sign = Exercise.verdict("1.1 bytes", c -> c.equal("delta", 3.5, -3.5));
        assertTrue(sign.line().contains("wrong sign"), sign.line());
        Verdict named = Exercise.verdict("1.1 bytes", c -> c.equal("static bytes", 1200, 1600, Check.mistake("AdamW keeps two moments", 1200)));
        assertEquals("❌ 1.1 bytes: static bytes: AdamW keeps two moments", named.line());
        Verdict other = Exercise.verdict("1.1 bytes", c -> c.equal("static bytes", 1234, 1600));
        assertEquals("❌ 1.1 bytes: static bytes is wrong (yours 1,234, expected 1,600)", other.line());
        assertTrue(Exercise.verdict("1.1 bytes", c -> c.equal("static bytes", 1600.00001, 1600)).passed());
    }

    @Test void checkPrintsOneLineAndReturnsThePoints() {
        PrintStream orig = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        double ok, bad;
        try {
            ok = Exercise.check("a", c -> c.that(true, "never shown"));
            bad = Exercise.check("b", c -> c.that(false, "the hint"));
        } finally {
            System.setOut(orig);
        }
        assertEquals(1.0, ok);
        assertEquals(0.0, bad);
        assertEquals("✅ a (1 check passed)\n❌ b: the hint\n", buf.toString(StandardCharsets.UTF_8).replace("\r", ""));
    }

    @Test void randomInputsAreReproducibleAndClosedWithTheCheck() {
        NDArray[] kept = new NDArray[2];
        Exercise.verdict("r", c -> { kept[0] = c.random(7, 3, 2); kept[1] = c.random(7, 3, 2); c.equal("same seed", kept[0], kept[1]); });
        assertTrue(kept[0].isReleased(), "arrays made by the check are closed when it ends");
    }
}
