package dev.memtune.teach;

/**
 * One exercise's check, as a notebook cell writes it:
 * <pre>
 * Exercise.check("2.1 the LoRA forward", c -> {
 *     NDArray x = c.random(1, 4, 16);
 *     c.equal("h", loraForward(x, ...), reference.forward(x),
 *             Check.mistake("the low-rank term is not scaled by alpha / r", unscaled));
 * })
 * </pre>
 * prints {@code ✅ 2.1 the LoRA forward} or {@code ❌ 2.1 the LoRA forward: <what is wrong>} and
 * returns the points (1.0 or 0.0) as the cell's value, which nbgrader's autograder reads as the
 * test cell's partial credit. Exercise cells end in {@code throw Exercise.notDone();} until the
 * student replaces it; that is reported as "not done yet", like any other mistake, never as an error.
 */
public final class Exercise {
    private Exercise() {}

    /** The body of a check: compares the student's results with references through {@link Check}. */
    @FunctionalInterface
    public interface Body {
        void run(Check c) throws Exception;
    }

    /** Thrown by an exercise the student has not filled in yet. */
    public static final class NotDone extends RuntimeException {
        NotDone() { super("exercise not done yet", null, false, false); }
    }

    /** The placeholder an exercise cell throws until the student writes an answer: {@code throw Exercise.notDone();}. */
    public static NotDone notDone() { return new NotDone(); }

    /** The verdict of {@code body}, without printing it. */
    public static Verdict verdict(String title, Body body) {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("Exercise.check: give the exercise a title");
        try (Check c = new Check()) {
            body.run(c);
            return Verdict.pass(title, c.passed());
        } catch (Check.Failure f) {
            return Verdict.fail(title, f.getMessage());
        } catch (NotDone n) {
            return Verdict.fail(title, "not done yet: write your answer in the exercise cell above, in place of `throw Exercise.notDone();`, and run both cells again");
        } catch (ThreadDeath stop) {
            throw stop;                                                  // the kernel stopping the cell: not the student's mistake
        } catch (Throwable t) {
            if (t instanceof InterruptedException || Thread.currentThread().isInterrupted())
                throw new IllegalStateException("interrupted", t);        // an interrupt from the notebook, passed on
            return Verdict.fail(title, Hints.forException(t));
        }
    }

    /** Checks {@code body}, prints the verdict line and returns the points: 1.0 if it passed, else 0.0. */
    public static double check(String title, Body body) {
        Verdict v = verdict(title, body);
        System.out.println(v.line());
        return v.points();
    }
}
