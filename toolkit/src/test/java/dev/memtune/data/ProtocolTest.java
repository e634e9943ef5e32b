package dev.memtune.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Split sizes of the LST and standard protocols, disjointness, and determinism. */
class ProtocolTest {

    /** (task, protocol, train, validation, test) with sizes from the LST paper's rules and MANIFEST.md counts. */
    static Stream<Arguments> sizes() {
        return Stream.of(
                Arguments.of("rte", Protocol.LST, 2490, 138, 139),
                Arguments.of("mrpc", Protocol.LST, 3668, 204, 204),
                Arguments.of("stsb", Protocol.LST, 5749, 750, 750),
                Arguments.of("cola", Protocol.LST, 8551, 521, 522),
                Arguments.of("wnli", Protocol.LST, 635, 35, 36),
                Arguments.of("sst2", Protocol.LST, 66349, 1000, 872),
                Arguments.of("rte", Protocol.STANDARD, 2490, 277, 277),
                Arguments.of("sst2", Protocol.STANDARD, 67349, 872, 872),
                Arguments.of("copa", Protocol.LST, 400, 50, 50),
                Arguments.of("arc-easy", Protocol.LST, 2251, 570, 2376),
                Arguments.of("arc-challenge", Protocol.STANDARD, 1119, 299, 1172),
                Arguments.of("openbookqa", Protocol.STANDARD, 4957, 500, 500));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sizes")
    void splitSizes(String name, Protocol p, int train, int validation, int test) {
        Task task = Tasks.get(name);
        Path dir = RealData.require(task, "train");
        for (String s : task.splits()) RealData.require(task, s);
        TaskData d = task.load(dir, p, 42);
        assertEquals(List.of(train, validation, test), List.of(d.train().size(), d.validation().size(), d.test().size()), d.description());
        if (p == Protocol.LST && task.lstSplit() == Task.LstSplit.LARGE) {
            assertPartition(task.read(dir, "train"), d.train(), d.validation());
            assertEquals(task.read(dir, "dev"), d.test());
        }
        if (p == Protocol.LST && task.lstSplit() == Task.LstSplit.SMALL) {
            assertPartition(task.read(dir, "dev"), d.validation(), d.test());
            assertEquals(task.read(dir, "train"), d.train());
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        Task rte = Tasks.get("rte");
        Path dir = RealData.require(rte, "dev");
        RealData.require(rte, "train");
        TaskData a = rte.load(dir, Protocol.LST, 42), b = rte.load(dir, Protocol.LST, 42), c = rte.load(dir, Protocol.LST, 7);
        assertEquals(ids(a.validation()), ids(b.validation()));
        assertNotEquals(ids(a.validation()), ids(c.validation()));
        assertEquals(138, c.validation().size());
    }

    /** The split's shuffle is torch.randperm itself: permutations written by torch (make_fixtures.py --only=randperm). */
    @Test
    void shuffleIsTorchRandperm() throws Exception {
        var fixture = com.google.gson.JsonParser.parseString(Files.readString(
                Path.of(ProtocolTest.class.getResource("/fixtures/randperm.json").toURI()))).getAsJsonObject();
        int checked = 0;
        for (var c : fixture.getAsJsonArray("cases")) {
            var o = c.getAsJsonObject();
            int n = o.get("n").getAsInt();
            long seed = o.get("seed").getAsLong();
            int[] got = TorchRandperm.permutation(n, seed);
            String what = "randperm(" + n + ", seed " + seed + ") vs torch " + fixture.get("torch").getAsString();
            if (o.has("perm")) {
                assertArrayEquals(ints(o.getAsJsonArray("perm")), got, what);
            } else {
                int[] head = ints(o.getAsJsonArray("head")), tail = ints(o.getAsJsonArray("tail"));
                assertArrayEquals(head, Arrays.copyOfRange(got, 0, head.length), what + " head");
                assertArrayEquals(tail, Arrays.copyOfRange(got, n - tail.length, n), what + " tail");
                long sum = 0;
                for (int i = 0; i < n; i++) sum += (long) i * got[i];
                assertEquals(o.get("weighted_sum").getAsLong(), sum, what + " sum of i * p[i]");
            }
            assertEquals(n, Arrays.stream(got).distinct().filter(i -> i >= 0 && i < n).count(), what + " is a permutation");
            checked++;
        }
        assertEquals(13, checked);
        // where torch switches to 64-bit draws, the 32-bit path would silently differ: refused instead
        assertThrows(IllegalArgumentException.class, () -> TorchRandperm.permutation((int) TorchRandperm.SMALL_N_LIMIT, 42));
    }

    static int[] ints(com.google.gson.JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    /** MNLI files are not staged here: a small synthetic set in the official 12/16-column layout. */
    @Test
    void mnliLstUsesMismatchedForValidationAndMatchedForTest(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("mnli"));
        String head12 = "index\tpromptID\tpairID\tgenre\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label\n";
        String head16 = "index\tpromptID\tpairID\tgenre\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n";
        Files.writeString(dir.resolve("mnli/train.tsv"), head12 + "0\t1\t1e\tfiction\tb\tb\tp\tp\tA man.\tA person.\tentailment\tentailment\n");
        Files.writeString(dir.resolve("mnli/dev_matched.tsv"), head16 + "0\t1\t1n\tslate\tb\tb\tp\tp\tM1\tM2\tneutral\tneutral\tneutral\tneutral\tneutral\tneutral\n");
        Files.writeString(dir.resolve("mnli/dev_mismatched.tsv"), head16 + "0\t1\t1c\tnineeleven\tb\tb\tp\tp\tX1\tX2\tcontradiction\tneutral\tcontradiction\tcontradiction\tcontradiction\tcontradiction\n");
        TaskData d = Tasks.get("mnli").load(dir, Protocol.LST, 42);
        assertEquals("X1", d.validation().get(0).textA());
        assertEquals(2, d.validation().get(0).labelIndex());
        assertEquals("M1", d.test().get(0).textA());
        assertEquals(1, d.test().get(0).labelIndex());
        assertEquals(0, d.train().get(0).labelIndex());
        assertEquals("M1", Tasks.get("mnli").load(dir, Protocol.STANDARD, 42).test().get(0).textA());
        assertEquals("X1", Tasks.get("mnli-mm").load(dir, Protocol.STANDARD, 42).test().get(0).textA());
        assertThrows(IllegalArgumentException.class, () -> Tasks.get("mnli-mm").load(dir, Protocol.LST, 42));
    }

    /** a and b are disjoint, cover all (by id: ids are unique within a split), and each keeps file order. */
    static void assertPartition(List<Example> all, List<Example> a, List<Example> b) {
        Set<String> ia = new HashSet<>(ids(a)), ib = new HashSet<>(ids(b));
        assertEquals(all.size(), new HashSet<>(ids(all)).size(), "ids unique");
        assertEquals(a.size(), ia.size());
        assertEquals(b.size(), ib.size());
        Set<String> overlap = new HashSet<>(ia);
        overlap.retainAll(ib);
        assertEquals(Set.of(), overlap, "overlap");
        assertEquals(all.size(), a.size() + b.size());
        assertEquals(a, all.stream().filter(e -> ia.contains(e.id())).toList());
        assertEquals(b, all.stream().filter(e -> ib.contains(e.id())).toList());
    }

    static List<String> ids(List<Example> ex) { return ex.stream().map(Example::id).toList(); }
}
