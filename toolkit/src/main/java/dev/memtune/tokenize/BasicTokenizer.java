package dev.memtune.tokenize;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT's BasicTokenizer, written to match Hugging Face {@code tokenizers}' {@code BertNormalizer} +
 * {@code BertPreTokenizer}: drop NUL, U+FFFD and control/format/unassigned/private-use characters; map
 * whitespace to a space; put spaces around CJK ideographs; if lower-casing, strip accents (NFD, drop
 * non-spacing marks) then lower-case each code point; split on whitespace and isolate every punctuation
 * character (ASCII punctuation or a Unicode P* category).
 */
final class BasicTokenizer {
    private final boolean lowerCase;

    BasicTokenizer(boolean lowerCase) { this.lowerCase = lowerCase; }

    List<String> split(String text) {
        String norm = normalize(text);
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < norm.length(); ) {
            int c = norm.codePointAt(i);
            i += Character.charCount(c);
            if (isWhitespace(c)) {
                flush(cur, words);
            } else if (isPunctuation(c)) {
                flush(cur, words);
                words.add(new String(Character.toChars(c)));
            } else {
                cur.appendCodePoint(c);
            }
        }
        flush(cur, words);
        return words;
    }

    String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c == 0 || c == 0xfffd || isControl(c)) continue;
            if (isWhitespace(c)) sb.append(' ');
            else if (isCjk(c)) sb.append(' ').appendCodePoint(c).append(' ');
            else sb.appendCodePoint(c);
        }
        String s = sb.toString();
        if (!lowerCase) return s;
        String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int c = nfd.codePointAt(i);
            i += Character.charCount(c);
            if (Character.getType(c) == Character.NON_SPACING_MARK) continue;
            out.appendCodePoint(Character.toLowerCase(c));   // per code point, like Rust char::to_lowercase (no final-sigma rule)
        }
        return out.toString();
    }

    private static void flush(StringBuilder cur, List<String> words) {
        if (cur.length() > 0) {
            words.add(cur.toString());
            cur.setLength(0);
        }
    }

    /** Unicode White_Space (Rust {@code char::is_whitespace}). */
    static boolean isWhitespace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || Character.isSpaceChar(c);
    }

    /** Cc, Cf, Cn, Co except tab, newline and carriage return (which count as whitespace). */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') return false;
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED || t == Character.PRIVATE_USE
            || t == Character.SURROGATE;
    }

    static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** CJK Unified Ideographs blocks, as in BERT's {@code _is_chinese_char}. */
    static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
            || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
            || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
