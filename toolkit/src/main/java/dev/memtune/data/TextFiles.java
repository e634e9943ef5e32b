package dev.memtune.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Lines of a UTF-8 data file split on {@code \n} only (a bare {@code \r} inside a text field stays
 * text; one {@code \r} before {@code \n} is dropped), with a leading byte-order mark removed (the
 * GLUE MRPC files start with one) and no empty entry after a final newline.
 */
final class TextFiles {
    private TextFiles() {}

    static List<String> lines(Path file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new DataException(file, 0, "not valid UTF-8 (" + e + ")");
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            out.add(text.substring(start, stop));
            start = end + 1;
        }
        return out;
    }

    /** Splits on every tab, keeping empty fields (no quoting, as csv.QUOTE_NONE). */
    static String[] tabs(String line) {
        return line.split("\t", -1);
    }
}
