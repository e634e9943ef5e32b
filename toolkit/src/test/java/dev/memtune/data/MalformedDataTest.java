package dev.memtune.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad rows name the file, the line and the problem; absent files name the path and how to fetch. */
class MalformedDataTest {
    @TempDir Path dir;

    /** (task, split file, content, expected line, words the message must hold). */
    static Stream<Arguments> bad() {
        String rteHead = "index\tsentence1\tsentence2\tlabel\n";
        return Stream.of(
                Arguments.of("rte", "rte/dev.tsv", rteHead + "0\ta\tb\tentailment\n1\ta\tb\n", 3, "expected 4 tab-separated fields, found 3"),
                Arguments.of("rte", "rte/dev.tsv", rteHead + "0\ta\tb\tmaybe\n", 2, "label 'maybe' is not one of [entailment, not_entailment]"),
                Arguments.of("rte", "rte/dev.tsv", rteHead + "0\t\"a\tquoted\"\tb\tentailment\n", 2, "found 5"),
                Arguments.of("cola", "cola/dev.tsv", "gj04\t1\t\tok.\ngj04\t2\t\tbad label.", 2, "label '2'"),
                Arguments.of("stsb", "stsb/dev.tsv", "h\n0\tg\tf\ty\to\ts\ts\tA\tB\tfive\n", 2, "score 'five' is not a finite number"),
                Arguments.of("sst2", "sst2/dev.tsv", "sentence\tlabel\ngood\t1\n\n", 3, "found 1"),
                Arguments.of("arc-easy", "arc-easy/dev.jsonl",
                        "{\"id\":\"a\",\"question\":{\"stem\":\"s\",\"choices\":[{\"text\":\"x\",\"label\":\"A\"}]},\"answerKey\":\"A\"}\n{\"id\": \"b\", broken\n", 2, "invalid JSON"),
                Arguments.of("arc-easy", "arc-easy/dev.jsonl",
                        "{\"id\":\"a\",\"question\":{\"stem\":\"s\",\"choices\":[{\"text\":\"x\",\"label\":\"A\"}]},\"answerKey\":\"E\"}\n", 1, "answerKey 'E' is not one of the choice labels [A]"),
                Arguments.of("copa", "copa/val.jsonl", "{\"premise\":\"p\",\"choice1\":\"a\",\"choice2\":\"b\",\"question\":\"why\",\"label\":0,\"idx\":0}\n", 1, "'cause' or 'effect'"),
                Arguments.of("copa", "copa/val.jsonl", "{\"premise\":\"p\",\"choice1\":\"a\",\"choice2\":\"b\",\"question\":\"cause\",\"label\":2,\"idx\":0}\n", 1, "field 'label' must be an integer in [0, 2)"),
                Arguments.of("boolq", "boolq/val.jsonl", "{\"question\":\"q\",\"passage\":\"p\",\"idx\":0}\n", 1, "field 'label' must be true or false"),
                Arguments.of("sciq", "sciq/valid.json", "[{\"question\":\"q\",\"distractor1\":\"a\",\"distractor2\":\"b\",\"correct_answer\":\"c\"}]", 0, "item 0: missing field 'distractor3'"));
    }

    @ParameterizedTest(name = "{0}: {4}")
    @MethodSource("bad")
    void badRowNamesFileAndLine(String task, String file, String content, int line, String problem) throws IOException {
        Path f = write(file, content);
        Task t = Tasks.get(task);
        DataException e = assertThrows(DataException.class, () -> t.read(dir, t.devSplit()));
        assertEquals(f, e.file());
        assertEquals(line, e.line());
        assertTrue(e.getMessage().startsWith(f + (line > 0 ? " line " + line + ": " : ": ")), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void piqaLabelCountMustMatch() throws IOException {
        write("piqa/valid.jsonl", "{\"goal\":\"g\",\"sol1\":\"a\",\"sol2\":\"b\"}\n{\"goal\":\"g\",\"sol1\":\"a\",\"sol2\":\"b\"}\n");
        Path labels = write("piqa/valid-labels.lst", "1\n");
        DataException e = assertThrows(DataException.class, () -> Tasks.get("piqa").read(dir, "dev"));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains(labels.toString()), e.getMessage());
        write("piqa/valid-labels.lst", "1\n0\n1\n");
        e = assertThrows(DataException.class, () -> Tasks.get("piqa").read(dir, "dev"));
        assertEquals(labels, e.file());
        assertTrue(e.getMessage().contains("3 labels for 2 questions"), e.getMessage());
    }

    @Test
    void wellFormedTinyFilesRead() throws IOException {
        write("mrpc/dev.tsv", "\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n1\t1\t2\tHe said \"yes.\t\"Yes,\" he said.\r\n");
        List<Example> ex = Tasks.get("mrpc").read(dir, "dev");
        assertEquals(List.of(Example.pair("dev-0", "He said \"yes.", "\"Yes,\" he said.", 1)), ex, "BOM and CRLF dropped, quotes kept");
    }

    @Test
    void invalidUtf8NamesLineAndBareCarriageReturnStaysText() throws IOException {
        Path f = dir.resolve("sst2/dev.tsv");
        Files.createDirectories(f.getParent());
        Files.write(f, new byte[] {'s', '\t', 'l', '\n', 'o', 'k', '\t', '1', '\n', 'b', (byte) 0xC3, '(', '\t', '0', '\n'});
        DataException e = assertThrows(DataException.class, () -> Tasks.get("sst2").read(dir, "dev"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        Files.writeString(f, "sentence\tlabel\na\rb\t1\n");
        assertEquals("a\rb", Tasks.get("sst2").read(dir, "dev").get(0).textA());
    }

    static Stream<String> everyTask() { return Tasks.names().stream(); }

    @ParameterizedTest
    @MethodSource("everyTask")
    void missingTaskNamesPathAndFetchCommand(String name) {
        Task t = Tasks.get(name);
        MissingDataException e = assertThrows(MissingDataException.class, () -> t.load(dir, Protocol.STANDARD, 42));
        assertTrue(e.getMessage().contains(dir.resolve(t.files("train").get(0)).toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("reproduce/memtune fetch-data --task " + name), e.getMessage());
        assertTrue(e.getMessage().contains("MEMTUNE_DATA"), e.getMessage());
        assertEquals(t.splits().stream().mapToLong(s -> t.files(s).size()).sum(), t.missing(dir).size());
    }

    @Test
    void unknownTaskListsKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.get("rtee"));
        assertTrue(e.getMessage().contains("rte, wnli"), e.getMessage());
        assertEquals(Tasks.get("sst2"), Tasks.get("SST-2"));
        assertEquals(Tasks.get("arc-easy"), Tasks.get("ARC-Easy"));
    }

    @Test
    void labelsParseAsIndexOrString() {
        Task rte = Tasks.get("rte");
        assertEquals(1, rte.parseLabel("not_entailment"));
        assertEquals(0, rte.parseLabel(" 0 "));
        assertThrows(IllegalArgumentException.class, () -> rte.parseLabel("2"));
        assertEquals(1, Tasks.get("boolq").parseLabel("True"));
        assertEquals(3.25, Tasks.get("stsb").parseLabel("3.25"));
        assertThrows(IllegalArgumentException.class, () -> Tasks.get("stsb").parseLabel("NaN"));
    }

    private Path write(String rel, String content) throws IOException {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }
}
