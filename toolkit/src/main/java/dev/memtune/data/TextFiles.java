package dev.memtune.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lines of a UTF-8 data file, streamed (MNLI's train file is ~330 MB), split on {@code \n} only:
 * a bare {@code \r} inside a text field stays text, one {@code \r} before {@code \n} is dropped, a
 * leading byte-order mark is removed (the GLUE MRPC files start with one), and a final newline does
 * not make an empty last line. Invalid UTF-8 is a {@link DataException} naming the line.
 */
final class TextFiles {
    private TextFiles() {}

    /** Receives each line with its 1-based number. */
    interface LineConsumer { void accept(long lineNo, String line) throws IOException; }

    static void forEach(Path file, LineConsumer c) throws IOException {
        // split bytes on 0x0A (never part of a multi-byte UTF-8 sequence), then decode each line
        // strictly, so an encoding error is reported at its own line
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] line = new byte[1 << 12];
        int len = 0;
        long no = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        if (len == line.length) line = Arrays.copyOf(line, len * 2);
                        line[len++] = buf[i];
                        continue;
                    }
                    c.accept(++no, decode(decoder, line, len, no, file));
                    len = 0;
                }
            }
        }
        if (len > 0) c.accept(++no, decode(decoder, line, len, no, file));
    }

    private static String decode(CharsetDecoder d, byte[] b, int len, long no, Path file) {
        if (len > 0 && b[len - 1] == '\r') len--;
        int start = no == 1 && len >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF ? 3 : 0;
        try {
            return d.reset().decode(ByteBuffer.wrap(b, start, len - start)).toString();
        } catch (CharacterCodingException e) {
            throw new DataException(file, no, "not valid UTF-8 (" + e + ")");
        }
    }

    static List<String> lines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        forEach(file, (no, l) -> out.add(l));
        return out;
    }

    /** Splits on every tab, keeping empty fields (no quoting, as csv.QUOTE_NONE). */
    static String[] tabs(String line) {
        return line.split("\t", -1);
    }
}
