package dev.memtune.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** safetensors: files from the reference Python library, bit-level half decoding, round trips, corrupt files. */
class SafeTensorsTest {
    @TempDir Path tmp;

    static Path resource(String name) { return Path.of("src/test/resources/weights").resolve(name); }

    @Test
    void readsFileWrittenByPythonLibrary() throws IOException {
        Map<String, HostTensor> t = SafeTensors.read(resource("python_fixture.safetensors"));
        JsonObject expected = JsonParser.parseString(Files.readString(resource("python_fixture.json"))).getAsJsonObject();
        JsonObject tensors = expected.getAsJsonObject("tensors");
        assertEquals(tensors.keySet(), t.keySet());
        for (Map.Entry<String, JsonElement> e : tensors.entrySet()) {
            JsonObject o = e.getValue().getAsJsonObject();
            long[] shape = o.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
            assertArrayEquals(shape, t.get(e.getKey()).shape(), e.getKey());
            float[] values = new float[o.getAsJsonArray("values").size()];
            for (int i = 0; i < values.length; i++) {
                JsonElement v = o.getAsJsonArray("values").get(i);
                values[i] = v.getAsString().equals("inf") ? Float.POSITIVE_INFINITY : v.getAsString().equals("-inf") ? Float.NEGATIVE_INFINITY : v.getAsFloat();
            }
            assertArrayEquals(values, t.get(e.getKey()).data(), 0f, e.getKey());   // exact: numpy's decoding
        }
        assertEquals(Map.of("format", "pt", "source", "make_safetensors_fixture.py"), SafeTensors.metadata(resource("python_fixture.safetensors")));
    }

    @Test
    void writerReproducesPythonFileByteForByte() throws IOException {
        Path py = resource("python_f32.safetensors");
        LinkedHashMap<String, HostTensor> t = SafeTensors.read(py);        // header order = the library's order
        Path mine = tmp.resolve("mine.safetensors");
        SafeTensors.write(mine, t, SafeTensors.metadata(py));
        assertArrayEquals(Files.readAllBytes(py), Files.readAllBytes(mine));
    }

    @Test
    void rejectsIntegerTensorsNamingThem() {
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(resource("python_int64.safetensors")));
        assertTrue(e.getMessage().contains("embeddings.position_ids") && e.getMessage().contains("I64"), e.getMessage());
    }

    // IEEE binary16 / bfloat16 bit patterns with their exact values
    @ParameterizedTest
    @CsvSource({"3C00, 1.0", "C000, -2.0", "7BFF, 65504.0", "0001, 5.9604645E-8", "0400, 6.1035156E-5", "03FF, 6.097555E-5",
                "3555, 0.33325195", "8000, -0.0", "7C00, Infinity", "FC00, -Infinity"})
    void decodesFp16(String hex, float value) {
        assertEquals(value, Halfs.fp16ToFloat((short) Integer.parseInt(hex, 16)));
        assertEquals((short) Integer.parseInt(hex, 16), Halfs.floatToFp16(value));
    }

    @ParameterizedTest
    @CsvSource({"3F80, 1.0", "C000, -2.0", "4049, 3.140625", "7F7F, 3.3895314E38", "0001, 9.1835E-41", "FF80, -Infinity"})
    void decodesBf16(String hex, float value) {
        assertEquals(value, Halfs.bf16ToFloat((short) Integer.parseInt(hex, 16)));
        assertEquals((short) Integer.parseInt(hex, 16), Halfs.floatToBf16(value));
    }

    @Test
    void halfNaNStaysNaN() {
        assertTrue(Float.isNaN(Halfs.fp16ToFloat((short) 0x7E00)));
        assertTrue(Float.isNaN(Halfs.bf16ToFloat((short) 0x7FC0)));
        assertTrue(Float.isNaN(Halfs.fp16ToFloat(Halfs.floatToFp16(Float.NaN))));
        assertEquals((short) 0x3C00, Halfs.floatToFp16(1.0004883f));   // exactly halfway 1 and 1+2^-10: ties to even
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void roundTrip(String dtype) throws IOException {
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        t.put("z.weight", new HostTensor(new long[] {2, 3}, new float[] {1, -2, 0.5f, 1024, -0.25f, 3}));   // exact in all three
        t.put("a.bias", new HostTensor(new long[] {3}, new float[] {0, 7, -8}));
        t.put("scalar", new HostTensor(new long[] {}, new float[] {42}));
        Path f = tmp.resolve("rt.safetensors");
        SafeTensors.write(f, t, Map.of("format", "pt"), dtype);
        assertEquals(t, SafeTensors.read(f));
        assertEquals(java.util.List.copyOf(t.keySet()), java.util.List.copyOf(SafeTensors.read(f).keySet()));
        assertEquals(Map.of("format", "pt"), SafeTensors.metadata(f));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void truncatedFileNamesTheTensor() throws IOException {
        byte[] all = Files.readAllBytes(resource("python_fixture.safetensors"));
        Path f = tmp.resolve("cut.safetensors");
        Files.write(f, Arrays.copyOf(all, all.length - 3));
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated") && e.getMessage().contains("'half_specials'"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "huge header length | 8 | header length",
        "not JSON | {\"a\":{\"dtype\" | not a JSON object",
        "size mismatch | {\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}} | 'a'",
        "gap | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | 'a'",
        "unknown dtype | {\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}} | unknown dtype",
        "missing offsets | {\"a\":{\"dtype\":\"F32\",\"shape\":[2]}} | 'a'"})
    void corruptHeaderIsRejected(String what, String header, String expectInMessage) throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(what.startsWith("huge") ? 1L << 40 : json.length).put(json).putLong(0);
        Files.write(f, b.array());
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(expectInMessage) && e.getMessage().contains("bad.safetensors"), e.getMessage());
    }

    @Test
    void tooShortFile() throws IOException {
        Path f = tmp.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
}
