package dev.memtune.teach;

/**
 * The outcome of one exercise's check.
 *
 * @param detail on success, what was checked; on failure, what is wrong and a hint
 */
public record Verdict(String title, boolean passed, String detail) {
    static Verdict pass(String title, int checks) {
        return new Verdict(title, true, checks == 1 ? "1 check passed" : checks + " checks passed");
    }

    static Verdict fail(String title, String why) { return new Verdict(title, false, why); }

    /** 1.0 if passed, else 0.0 (nbgrader's partial credit for a test cell worth one point). */
    public double points() { return passed ? 1.0 : 0.0; }

    /** One line: {@code ✅ title (what passed)} or {@code ❌ title: what is wrong}. */
    public String line() { return passed ? "✅ " + title + " (" + detail + ")" : "❌ " + title + ": " + detail; }

    @Override public String toString() { return line(); }
}
