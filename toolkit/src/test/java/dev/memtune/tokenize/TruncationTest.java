package dev.memtune.tokenize;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Longest-first pair truncation: expected lengths worked out by hand from the HF tokenizers algorithm. */
class TruncationTest {
    @ParameterizedTest
    @CsvSource({"3, 4, 10, 3, 4", "3, 20, 10, 3, 7", "20, 3, 10, 7, 3", "10, 10, 7, 3, 4", "12, 10, 7, 4, 3", "1, 1, 0, 0, 0"})
    void longestFirst(int a, int b, int max, int n1, int n2) {
        assertArrayEquals(new int[] {n1, n2}, Truncation.longestFirst(a, b, max));
    }
}
