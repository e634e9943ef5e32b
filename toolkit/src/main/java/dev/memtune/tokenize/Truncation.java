package dev.memtune.tokenize;

/**
 * Hugging Face {@code tokenizers} "longest_first" truncation of a pair (same arithmetic as
 * {@code truncate_encodings} in the Rust crate): with budget {@code max} for the two segments, if the
 * shorter one fits in half the longer keeps the rest; otherwise each gets half and the longer one (the
 * second on a tie) the odd token.
 */
final class Truncation {
    private Truncation() {}

    /** New lengths {n1, n2} for segments of lengths {@code a}, {@code b} with {@code a + b} capped at {@code max}. */
    static int[] longestFirst(int a, int b, int max) {
        if (a + b <= max) return new int[] {a, b};
        int n1 = a, n2 = b;
        boolean swap = n1 > n2;
        if (swap) { int t = n1; n1 = n2; n2 = t; }
        if (n1 > max) n2 = n1;
        else n2 = Math.max(n1, max - n1);
        if (n1 + n2 > max) {
            n1 = max / 2;
            n2 = n1 + max % 2;
        }
        if (swap) { int t = n1; n1 = n2; n2 = t; }
        return new int[] {Math.min(a, n1), Math.min(b, n2)};
    }
}
