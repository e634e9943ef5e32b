package dev.memtune.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JupyterStreamsTest {
    /** Every cut of a mixed-width string: the kept prefix decodes exactly to a prefix of the text. */
    @ParameterizedTest
    @ValueSource(strings = {"abc", "héllo", "温度 ok", "a😀b", "€"})
    void neverSplitsACharacter(String text) {
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= all.length; cut++) {
            byte[] part = Arrays.copyOf(all, cut);
            int keep = JupyterStreams.completeUtf8Prefix(part);
            String decoded = new String(part, 0, keep, StandardCharsets.UTF_8);
            String expected = "";                        // longest whole-character prefix that fits in the cut
            for (int i = 0, n = 0; i < text.length(); i += n) {
                n = Character.charCount(text.codePointAt(i));
                if (text.substring(0, i + n).getBytes(StandardCharsets.UTF_8).length > cut) break;
                expected = text.substring(0, i + n);
            }
            assertEquals(expected, decoded, "cut " + cut + " of " + text);
            assertEquals(decoded.getBytes(StandardCharsets.UTF_8).length, keep);
        }
    }
}
